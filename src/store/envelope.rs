//! The envelope around every stored record.
//!
//! ```text
//! base64url( magic: 2 bytes ("VP" profile, "VC" consent)
//!          · version: u8 (currently 6; 2 to 5 are still read)
//!          · crc32(payload): u32 little-endian
//!          · payload )
//! ```
//!
//! A newer version is refused rather than guessed at; the caller resets the record and says so
//! in `audit()`.

use crate::bytes::{base64url_decode, base64url_encode, crc32, Reader};

/// Format version written by this build. 2: the consent record holds the decision (with its
/// GPC opt-in flag) and the profile record starts with the writers' clock. 3: the consent record
/// adds the `sensitive` purpose; the profile adds the survey answer, cart removals, the open
/// checkout and order fingerprints (see `profile::codec`). 4: the profile adds how many of each
/// item are in the cart. 5: the profile adds how many events were kept under the `sensitive`
/// consent. 6: both records add the erasures their writer knew of, and the profile record when
/// its profile began ([`super::lineage`]).
pub const VERSION: u8 = 6;
/// Oldest version this build reads (and rewrites as [`VERSION`] at the next write).
pub const OLDEST: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Profile,
    Consent,
}

impl Kind {
    fn magic(self) -> &'static [u8; 2] {
        match self {
            Kind::Profile => b"VP",
            Kind::Consent => b"VC",
        }
    }
}

/// Why [`open`] refuses a record a later vitrine wrote: callers leave such records alone.
pub const NEWER: &str = "written by a newer vitrine";

/// Wraps a payload.
pub fn seal(kind: Kind, payload: &[u8]) -> String {
    seal_with_crc(kind, payload).0
}

/// Wraps a payload, and returns the payload's checksum too.
pub fn seal_with_crc(kind: Kind, payload: &[u8]) -> (String, u32) {
    let crc = crc32(payload);
    let mut buf = Vec::with_capacity(payload.len() + 7);
    buf.extend_from_slice(kind.magic());
    buf.push(VERSION);
    buf.extend_from_slice(&crc.to_le_bytes());
    buf.extend_from_slice(payload);
    (base64url_encode(&buf), crc)
}

/// The payload checksum a stored value declares, read from its first 12 characters without
/// decoding the rest; `None` when they are not an envelope header.
pub fn declared_crc(value: &str) -> Option<u32> {
    let head = base64url_decode(value.get(..12)?).ok()?;
    let crc = head.get(3..7)?;
    Some(u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]))
}

/// The version and the first `n` payload bytes (fewer when the payload is shorter) of a value of
/// this version or an older one it reads, decoded from the value's head alone and not checked
/// against the checksum: for what may be read unverified ([`super::Store::profile_times`]), so
/// a full record is not decoded and checksummed for it. `None` when the head is not an envelope.
pub fn peek(kind: Kind, value: &str, n: usize) -> Option<(u8, Vec<u8>)> {
    // Whole groups of four characters: a cut inside one would not decode.
    let chars = (7 + n).div_ceil(3) * 4;
    let head = base64url_decode(value.get(..chars.min(value.len()))?).ok()?;
    if head.get(..2)? != kind.magic() {
        return None;
    }
    let version = *head.get(2)?;
    let payload = head.get(7..)?;
    (OLDEST..=VERSION)
        .contains(&version)
        .then(|| (version, payload[..n.min(payload.len())].to_vec()))
}

/// Unwraps a payload and its version, or says why it cannot be trusted.
pub fn open(kind: Kind, value: &str) -> Result<(u8, Vec<u8>), &'static str> {
    let bytes = base64url_decode(value).map_err(|_| "not base64url")?;
    let mut r = Reader::new(&bytes);
    let magic = r.bytes(2).map_err(|_| "truncated")?;
    if magic != kind.magic() {
        return Err("foreign value (wrong magic)");
    }
    let version = match r.u8().map_err(|_| "truncated")? {
        v @ OLDEST..=VERSION => v,
        v if v > VERSION => return Err(NEWER),
        _ => return Err("written by an older, unsupported vitrine"),
    };
    let crc = r.u32().map_err(|_| "truncated")?;
    let payload = r.bytes(r.remaining()).map_err(|_| "truncated")?;
    if crc32(payload) != crc {
        return Err("checksum mismatch");
    }
    Ok((version, payload.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_detects_every_kind_of_damage() {
        let v = seal(Kind::Profile, b"hello");
        assert_eq!(
            open(Kind::Profile, &v).unwrap(),
            (VERSION, b"hello".to_vec())
        );
        assert_eq!(open(Kind::Consent, &v), Err("foreign value (wrong magic)"));
        assert_eq!(open(Kind::Profile, "{\"json\":1}"), Err("not base64url"));
        assert_eq!(open(Kind::Profile, ""), Err("truncated"));
        let mut bytes = base64url_decode(&v).unwrap();
        bytes[2] = 9;
        assert_eq!(
            open(Kind::Profile, &base64url_encode(&bytes)),
            Err("written by a newer vitrine")
        );
        bytes[2] = OLDEST;
        assert_eq!(
            open(Kind::Profile, &base64url_encode(&bytes)).unwrap().0,
            OLDEST
        );
        bytes[2] = OLDEST - 1;
        assert_eq!(
            open(Kind::Profile, &base64url_encode(&bytes)),
            Err("written by an older, unsupported vitrine")
        );
        let mut bytes = base64url_decode(&v).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            open(Kind::Profile, &base64url_encode(&bytes)),
            Err("checksum mismatch")
        );
        let cut = &v[..v.len() - 3];
        assert!(open(Kind::Profile, cut).is_err());
    }

    #[test]
    fn the_declared_checksum_is_read_from_the_header_alone() {
        let (v, crc) = seal_with_crc(Kind::Profile, b"a payload of some length");
        assert_eq!(declared_crc(&v), Some(crc));
        assert_eq!(declared_crc(&v[..12]), Some(crc));
        assert_eq!(declared_crc("short"), None);
        assert_eq!(declared_crc("{\"json\": true}"), None);
    }
}
