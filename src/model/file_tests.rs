use super::*;
use crate::model::quant::unit_scale;
use crate::model::NONE;
use crate::rng::Rng;

/// A small model that uses every section.
pub(crate) fn sample_parts() -> ModelParts {
    let mut item_tags = Lists::default();
    for row in [&[0u32, 1][..], &[], &[1], &[]] {
        item_tags.push(row);
    }
    ModelParts {
        ids: ["b", "a", "ü-3", "c"].into_iter().collect(),
        titles: ["Bee", "", "Über", "Sea"].into_iter().collect(),
        category: vec![0, 1, NONE, 0].into(),
        categories: ["Candles", "Mugs"].into_iter().collect(),
        brand: vec![NONE, 0, 0, NONE].into(),
        brands: ["Lumen"].into_iter().collect(),
        price: vec![1.5, f32::NAN, 20.0, 3.0].into(),
        in_stock: vec![true, false, true, true],
        sensitive: vec![false, false, true, false],
        item_tags,
        tags: ["soy", "gift"].into_iter().collect(),
        popularity: vec![4.0, 2.0, 1.0, 0.0],
        trending: vec![1.0, 3.0, 0.5, 0.0],
        co_purchase: Neighbours::from_rows(vec![
            vec![(1, 0.9), (3, 0.2)],
            vec![(0, 0.9)],
            vec![],
            vec![(0, 0.2)],
        ]),
        co_view: Neighbours::from_rows(vec![vec![(2, 1.0)], vec![], vec![(0, 1.0)], vec![]]),
        dims: 2,
        embeddings: vec![1.0, 0.0, 0.6, 0.8, 0.0, 1.0, -1.0, 0.0].into(),
        channels: ["tiktok", "in_store"].into_iter().collect(),
        channel_trending: Neighbours::from_rows(vec![vec![(2, 1.0), (0, 0.5)], vec![(3, 1.0)]]),
        id_index: Default::default(),
        popularity_order: Default::default(),
        trending_order: Default::default(),
        repeat: vec![0.5, 0.125, 0.0, 1.0],
        info: Info {
            reference_time: 1.3e12,
            popularity_half_life_days: 90.0,
            trending_half_life_days: 14.0,
            lines: 31,
        },
    }
}

fn same(a: &ModelParts, b: &ModelParts) {
    // NaN prices do not compare equal; everything else must match exactly.
    let bits = |p: &ModelParts| p.price.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
    let strip = |p: &ModelParts| ModelParts {
        price: Default::default(),
        ..p.clone()
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn a_model_round_trips_through_a_file() {
    let m = Model::from_parts(sample_parts()).unwrap();
    let bytes = m.to_bytes();
    assert_eq!(&bytes[..8], &MAGIC);
    let back = Model::from_bytes(&bytes).unwrap();
    same(m.parts(), back.parts());
    assert_eq!(back.index_of("ü-3"), Some(2));
    assert_eq!(back.index_of("a"), Some(1));
    assert_eq!(back.index_of("zz"), None);
    assert_eq!(back.title(2), "Über");
    assert_eq!(back.tags(0), &[0, 1]);
    assert_eq!(back.co_view().of(2), (&[0u32][..], &[1.0f32][..]));
    assert!(!back.in_stock(1) && back.sensitive(2));
    assert_eq!(back.parts().info.lines, 31);
    let tiktok = back.channel_of_name("tiktok").unwrap();
    assert_eq!(
        back.channel_trending(tiktok),
        (&[2u32, 0][..], &[1.0f32, 0.5][..])
    );
    assert_eq!(back.channel_name(1), Some("in_store"));
    assert_eq!(back.channel_of_name("email"), None);
    assert_eq!(back.repeat_rate(1), Some(0.125));
    assert_eq!(back.to_bytes(), bytes, "encoding is deterministic");
    // A file without channel sections (all files before them) reads as no channels.
    let plain = Model::from_parts(ModelParts {
        channels: Default::default(),
        channel_trending: Default::default(),
        ..sample_parts()
    })
    .unwrap()
    .to_bytes();
    assert!(!plain.windows(4).any(|w| w == b"CHAN"));
    assert_eq!(
        Model::from_bytes(&plain).unwrap().channel_of_name("tiktok"),
        None
    );
}

#[test]
fn repeat_rates_are_an_optional_section() {
    let without = ModelParts {
        repeat: Vec::new(),
        ..sample_parts()
    };
    let bytes = encode(&without);
    assert_eq!(
        sections(&bytes, None).unwrap().table.len(),
        22,
        "no REPT section"
    );
    let back = Model::from_bytes(&bytes).unwrap();
    assert!(back.parts().repeat.is_empty());
    assert_eq!(back.repeat_rate(0), None);
    // Adding the section changes nothing else.
    let with = decode(&encode(&sample_parts())).unwrap();
    same(
        &ModelParts {
            repeat: Vec::new(),
            ..with
        },
        &decode(&bytes).unwrap(),
    );
}

#[test]
fn an_empty_model_round_trips() {
    let m = Model::from_parts(ModelParts::default()).unwrap();
    let back = Model::from_bytes(&m.to_bytes()).unwrap();
    assert!(back.is_empty());
}

#[test]
fn sections_are_aligned_and_inside_the_file() {
    let bytes = encode(&sample_parts());
    let s = sections(&bytes, None).unwrap();
    assert_eq!(s.table.len(), 23);
    for (_, off, len) in &s.table {
        assert_eq!(off % 8, 0);
        assert!(off + len <= bytes.len());
    }
}

fn message(bytes: &[u8]) -> String {
    let e = Model::from_bytes(bytes).unwrap_err().to_string();
    for piece in [1, 24, 300] {
        let copied = copied_in(bytes, piece).unwrap_err().to_string();
        assert_eq!(copied, e, "copied in pieces of {piece}");
        let streamed = streamed(bytes, piece).unwrap_err().to_string();
        assert_eq!(streamed, e, "streamed in pieces of {piece}");
    }
    e
}

/// The file as `Vitrine.load` reads a stream: pieces of `piece` bytes, whatever the header's
/// bounds, then loaded.
fn streamed(bytes: &[u8], piece: usize) -> Result<Model> {
    let mut s = crate::value::Streamed::default();
    for chunk in bytes.chunks(piece) {
        s.push(chunk.len(), |from, k, v| {
            v.extend_from_slice(&chunk[from..from + k])
        })?;
    }
    let blob = s.finish()?;
    Model::from_file_incoming(blob.bytes, blob.incoming.map(|i| *i))
}

#[test]
fn a_streamed_file_loads_as_the_file_does() {
    let bytes = int8_file().1;
    let m = Model::from_bytes(&bytes).unwrap();
    for piece in [1, 5, 31, 32, 33, 4096, bytes.len()] {
        let loaded = streamed(&bytes, piece).unwrap();
        same(loaded.parts(), m.parts());
        assert_eq!(loaded.quantized(), m.quantized(), "{piece}");
    }
    // A piece of no bytes changes nothing.
    let mut s = crate::value::Streamed::default();
    s.push(0, |_, _, _| unreachable!()).unwrap();
    for chunk in bytes.chunks(100) {
        s.push(0, |_, _, _| unreachable!()).unwrap();
        s.push(chunk.len(), |from, k, v| {
            v.extend_from_slice(&chunk[from..from + k])
        })
        .unwrap();
    }
    let blob = s.finish().unwrap();
    assert_eq!(blob.bytes, bytes);
    // A stream that goes on past the length is refused at the first byte too many.
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 3]);
    let mut s = crate::value::Streamed::default();
    s.push(bytes.len(), |from, k, v| {
        v.extend_from_slice(&longer[from..from + k])
    })
    .unwrap();
    let e = s.push(1, |_, _, v| v.push(0)).unwrap_err().to_string();
    let said = format!(
        "model: the model file is longer than the {} bytes its header says",
        bytes.len()
    );
    assert_eq!(e, said);
    assert_eq!(streamed(&longer, 64).unwrap_err().to_string(), said);
    // A file that does not start like one is refused once 32 bytes have arrived, not at the end.
    let mut s = crate::value::Streamed::default();
    let html = b"<!doctype html><html><body>Not found</body></html>";
    s.push(31, |from, k, v| v.extend_from_slice(&html[from..from + k]))
        .unwrap();
    let e = s.push(1, |_, _, v| v.push(html[31])).unwrap_err();
    assert!(e.to_string().contains("signature"), "{e}");
    // Too large to hold: refused before any copy.
    let e = crate::value::Arriving::new(usize::MAX).unwrap_err();
    assert!(e.to_string().contains("not enough memory"), "{e}");
}

/// The file as the browser opens it: copied in `piece` bytes at a time, checked on the way.
fn copied_in(bytes: &[u8], piece: usize) -> Result<Model> {
    let blob = crate::value::Blob::copy_in(bytes.len(), piece, |at, n, v| {
        v.extend_from_slice(&bytes[at..at + n]);
        true
    })
    .unwrap();
    assert_eq!(blob.bytes, bytes);
    Model::from_file_incoming(blob.bytes, blob.incoming.map(|i| *i))
}

#[test]
fn checks_made_while_copying_in_are_the_checks_loading_makes() {
    let m = Model::from_parts(sample_parts()).unwrap();
    let bytes = m.to_bytes();
    let n = m.len();
    for piece in [1, 7, 64, 256, 1000, bytes.len()] {
        let blob = crate::value::Blob::copy_in(bytes.len(), piece, |at, k, v| {
            v.extend_from_slice(&bytes[at..at + k]);
            true
        })
        .unwrap();
        let incoming = *blob.incoming.clone().unwrap();
        // Every row and code row was checked on the way, and the checksum taken.
        assert_eq!(
            (incoming.pre.rows.checked, incoming.pre.codes.checked),
            (n, n),
            "{piece}"
        );
        assert_eq!(
            incoming.clone().finish().0,
            Some(xxh64(&bytes[HEADER_LEN..]))
        );
        let copied = Model::from_file_incoming(blob.bytes, blob.incoming.map(|i| *i)).unwrap();
        same(copied.parts(), m.parts());
        assert_eq!(copied.quantized(), m.quantized(), "max_norm too");
    }
    // Checks made ahead for part of the rows are finished by loading.
    let mut part = Incoming::new(bytes.len());
    let rows_end = sections(&bytes, None)
        .unwrap()
        .get(tag::EMBEDDINGS)
        .unwrap()
        .as_ptr() as usize
        - bytes.as_ptr() as usize
        + 4
        + 2 * 4 * m.dims();
    part.piece(&bytes[..rows_end], 0);
    assert_eq!(part.pre.rows.checked, 2);
    part.piece(&bytes, rows_end);
    let (sum, mut pre) = part.finish();
    pre.rows = crate::model::norms::Rows {
        checked: 2,
        maxes: pre.rows.maxes[..2].to_vec(),
        ..pre.rows
    };
    pre.codes = crate::model::quant::CodeRows {
        checked: 1,
        ..pre.codes
    };
    // The first co-purchase target and weight only (target 1, weight 0.9).
    pre.lists[0] = crate::model::ListChecks {
        targets: 1,
        top: 1,
        weights: 1,
        bad_weight: false,
    };
    let (parts, codes) = decode_with_codes(&FileBytes::new(bytes.clone()), sum).unwrap();
    let finished = Model::from_parts_with_codes(parts, codes, pre).unwrap();
    assert_eq!(finished.quantized(), m.quantized());
    // A wrong checksum taken on the way is a damaged file.
    let mut wrong = Incoming::new(bytes.len());
    wrong.piece(&bytes, 0);
    wrong.sum.update(b"x");
    assert!(Model::from_file_incoming(bytes.clone(), Some(wrong))
        .unwrap_err()
        .to_string()
        .contains("checksum does not match"));
    // A non-finite value or an uneven row behind valid checksums, seen on the way.
    let mut raw = sample_parts();
    raw.embeddings = vec![2.0, 0.0, 0.3, 0.4, 0.0, 5.0, -1.0, 0.0].into();
    let uneven = encode(&raw);
    assert_eq!(
        copied_in(&uneven, 16).unwrap().quantized(),
        Model::from_parts(raw.clone()).unwrap().quantized()
    );
    raw.embeddings = vec![2.0, 0.0, f32::NAN, 0.4, 0.0, 5.0, -1.0, 0.0].into();
    assert!(message(&encode(&raw)).contains("not finite"));
}

/// Rewrites both checksums, so a test can reach the checks behind them.
fn reseal(bytes: &mut [u8]) {
    let body = if bytes[8..10] == [1, 0] {
        crc32(&bytes[HEADER_LEN..])
    } else {
        xxh64(&bytes[HEADER_LEN..]) as u32
    };
    bytes[24..28].copy_from_slice(&body.to_le_bytes());
    let head = crc32(&bytes[..28]);
    bytes[28..32].copy_from_slice(&head.to_le_bytes());
}

#[test]
fn other_versions_and_other_files_are_refused_clearly() {
    let good = encode(&sample_parts());
    let mut newer = good.clone();
    newer[8..10].copy_from_slice(&4u16.to_le_bytes());
    reseal(&mut newer);
    assert_eq!(
        message(&newer),
        "model: the model file has format version 4, newer than this vitrine reads (versions 1 to 3); update vitrine"
    );
    let mut older = good.clone();
    older[8..10].copy_from_slice(&0u16.to_le_bytes());
    reseal(&mut older);
    assert!(message(&older).contains("older than this vitrine reads"));
    assert!(message(b"").contains("does not start with the vitrine model signature"));
    assert!(message(b"item_id,title\n1,Candle\n").contains("signature"));
    assert!(message(&[0x1f, 0x8b, 8, 0]).contains("gzip-compressed"));
    assert!(message(&good[..good.len() - 1]).contains("truncated"));
    let mut longer = good.clone();
    longer.push(0);
    // (A stream says it differently, at its first byte too many: a_streamed_file_loads_….)
    let e = Model::from_bytes(&longer).unwrap_err().to_string();
    assert!(e.contains("extra bytes"), "{e}");
    assert_eq!(copied_in(&longer, 24).unwrap_err().to_string(), e);
}

#[test]
fn every_truncation_and_every_flipped_byte_is_an_error() {
    for good in [encode(&sample_parts()), int8_file().1] {
        for cut in 0..good.len() {
            assert!(Model::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
            assert!(streamed(&good[..cut], 7).is_err(), "streamed, cut at {cut}");
        }
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            let e = message(&bad);
            assert!(e.starts_with("model: "), "{at}: {e}");
        }
    }
}

#[test]
fn damage_behind_valid_checksums_never_panics() {
    damage_never_panics(encode(&sample_parts()), 42);
}

#[test]
fn damage_behind_valid_checksums_never_panics_int8_only() {
    damage_never_panics(int8_file().1, 43);
}

/// 4,000 random damages of `good` behind valid checksums: loading it whole and copied in by
/// pieces gives the same verdict, and whatever loads is usable.
fn damage_never_panics(good: Vec<u8>, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut loaded = 0;
    for _ in 0..4000 {
        let mut bad = good.clone();
        for _ in 0..1 + rng.below(4) {
            let at = HEADER_LEN + rng.below(good.len() - HEADER_LEN);
            bad[at] = match rng.below(4) {
                0 => 0,
                1 => 0xff,
                _ => rng.next_u64() as u8,
            };
        }
        reseal(&mut bad);
        // Copied in by pieces and checked on the way, the same verdict.
        let piece = 1 + rng.below(400);
        let copied = copied_in(&bad, piece).map_err(|e| e.to_string());
        let whole = Model::from_bytes(&bad).map_err(|e| e.to_string());
        match (&copied, &whole) {
            (Ok(a), Ok(b)) => assert_eq!(a.quantized(), b.quantized(), "pieces of {piece}"),
            _ => assert_eq!(
                copied.as_ref().err(),
                whole.as_ref().err(),
                "pieces of {piece}"
            ),
        }
        if let Ok(m) = Model::from_bytes(&bad) {
            // Whatever loads must be usable without panicking.
            loaded += 1;
            for i in 0..m.len() as u32 {
                let _ = (m.id(i), m.title(i), m.tags(i), m.co_purchase().of(i));
                let _ = (m.index_of(m.id(i)), m.embedding(i).map(|e| e.to_vec()));
            }
        }
    }
    assert!(loaded < 4000, "most damage is detected");
}

#[test]
fn bad_contents_are_named() {
    let mut p = sample_parts();
    p.co_purchase.targets.to_mut()[0] = 99;
    assert!(message(&encode(&p)).contains("co-purchase neighbours: a neighbour is not an item"));
    // Weights: −0 passes; negatives, NaN (either sign) and infinities do not. Enough links that
    // the SIMD build's four-at-a-time pass and its remainder both see the bad one.
    for (w, ok) in [
        (-0.0, true),
        (f32::MAX, true),
        (f32::MIN_POSITIVE / 2.0, true),
        (-1e-30, false),
        (f32::NAN, false),
        (-f32::NAN, false),
        (f32::INFINITY, false),
        (f32::NEG_INFINITY, false),
    ] {
        for at in [0, 5, 8] {
            let mut p = sample_parts();
            p.co_view = Neighbours::from_rows(vec![
                (0..9)
                    .map(|k| (1 + k % 3, if k == at { w } else { 0.5 }))
                    .collect(),
                vec![],
                vec![],
                vec![],
            ]);
            let r = Model::from_parts(p.clone());
            assert_eq!(r.is_ok(), ok, "weight {w} at {at}");
            if !ok {
                assert!(message(&encode(&p)).contains("co-view neighbours: a weight is negative"));
            }
        }
    }
    let mut p = sample_parts();
    p.ids = ["a", "a", "b", "c"].into_iter().collect();
    assert!(message(&encode(&p)).contains("item id 'a' appears twice"));
    let mut p = sample_parts();
    p.category.to_mut()[0] = 7;
    assert!(message(&encode(&p)).contains("attribute index is out of range"));
    let mut p = sample_parts();
    p.repeat[2] = 1.5;
    assert!(message(&encode(&p)).contains("repeat rate is not between 0 and 1"));
    p.repeat[2] = f32::NAN;
    assert!(message(&encode(&p)).contains("repeat rate is not between 0 and 1"));
    p.repeat.pop();
    assert!(message(&encode(&p)).contains("section REPT is shorter than its contents say"));
}

/// The same file as version 1 writes it: CRC-32 as the body checksum.
fn as_version_1(bytes: &[u8]) -> Vec<u8> {
    let mut v1 = bytes.to_vec();
    v1[8..10].copy_from_slice(&1u16.to_le_bytes());
    reseal(&mut v1);
    v1
}

#[test]
fn version_1_files_still_load_and_checksums_follow_the_version() {
    let good = encode(&sample_parts());
    assert_eq!(&good[8..10], &2u16.to_le_bytes());
    let v1 = as_version_1(&good);
    same(&decode(&v1).unwrap(), &decode(&good).unwrap());
    // A version-1 file checked with version 2's checksum, or the reverse, is damaged.
    let mut mixed = good.clone();
    mixed[8..10].copy_from_slice(&1u16.to_le_bytes());
    let head = crc32(&mixed[..28]);
    mixed[28..32].copy_from_slice(&head.to_le_bytes());
    assert!(message(&mixed).contains("its checksum does not match"));
}

#[test]
fn stored_codes_are_what_loading_would_compute() {
    let m = Model::from_parts(sample_parts()).unwrap();
    let bytes = m.to_bytes();
    assert!(sections(&bytes, None).unwrap().get(tag::CODES).is_some());
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back.quantized(), m.quantized());
    assert_eq!(
        back.quantized(),
        &Quantized::new(back.embeddings(), back.dims())
    );
    // Without the section (version-1 files, or a reader's choice) the codes are computed.
    let (parts, codes) = decode_with_codes(&FileBytes::new(bytes.clone()), None).unwrap();
    assert!(codes.is_some());
    let computed = Model::from_parts(parts).unwrap();
    assert_eq!(computed.quantized(), back.quantized());
    // Rows that are not unit length are scaled on load; codes stored for the rows as given are
    // then dropped and the scaled rows quantized.
    let mut raw = sample_parts();
    raw.embeddings = vec![2.0, 0.0, 0.3, 0.4, 0.0, 5.0, -1.0, 0.0].into();
    let loaded = Model::from_bytes(&encode(&raw)).unwrap();
    assert_eq!(
        loaded.quantized(),
        Model::from_parts(raw).unwrap().quantized()
    );
}

#[test]
fn stored_orders_are_used_only_when_they_are_the_order() {
    let m = Model::from_parts(sample_parts()).unwrap();
    let bytes = m.to_bytes();
    let (parts, _) = decode_with_codes(&FileBytes::new(bytes.clone()), None).unwrap();
    assert_eq!(&parts.popularity_order[..], m.by_popularity());
    assert_eq!(&parts.trending_order[..], m.by_trending());
    assert_eq!(&parts.trending_order[..], [1, 0, 2, 3]);
    // A stored order that is not the order (two entries swapped, one listed twice, one short) is
    // replaced by the computed one, behind valid checksums.
    let at = sections(&bytes, None)
        .unwrap()
        .table
        .iter()
        .find(|t| t.0 == tag::TRENDING_ORDER)
        .unwrap()
        .1;
    for damage in [[0u32, 1, 2, 3], [1, 1, 2, 3], [1, 0, 3, 2]] {
        let mut d = bytes.clone();
        for (k, v) in damage.iter().enumerate() {
            d[at + 4 * k..at + 4 * k + 4].copy_from_slice(&v.to_le_bytes());
        }
        reseal(&mut d);
        let back = Model::from_bytes(&d).unwrap();
        assert_eq!(back.by_trending(), m.by_trending(), "{damage:?}");
    }
    // Files without the sections (written before them) compute the orders.
    let (mut parts, _) = decode_with_codes(&FileBytes::new(bytes), None).unwrap();
    parts.popularity_order = Default::default();
    parts.trending_order = Default::default();
    let computed = Model::from_parts(parts).unwrap();
    assert_eq!(computed.by_popularity(), m.by_popularity());
    assert_eq!(computed.by_trending(), m.by_trending());
}

#[test]
fn damaged_codes_behind_valid_checksums_are_refused() {
    let good = encode(&sample_parts());
    let s = sections(&good, None).unwrap();
    let (_, off, len) = *s.table.iter().find(|(t, _, _)| *t == tag::CODES).unwrap();
    // u32 dims, u32 stride, f32 scales[4], then 4 rows of 16 codes.
    let codes = off + 8 + 16;
    assert_eq!(len, 8 + 16 + 4 * 16);
    let cases: [(usize, u8, &str); 6] = [
        (off + 8, 0x01, "a scale does not match its row"),
        (codes, 0x80, "codes are out of range"),
        (codes, 3, "codes are out of range or do not match its scale"),
        (codes + 5, 1, "padding is not zero"),
        (off, 3, "the EMBQ section does not match the embeddings"),
        (
            off + 4,
            32,
            "the EMBQ section does not match the embeddings",
        ),
    ];
    for (at, value, expected) in cases {
        let mut bad = good.clone();
        bad[at] = value;
        reseal(&mut bad);
        let e = message(&bad);
        assert!(e.contains(expected), "{at}: {e}");
    }
    // Row 1 is (0.6, 0.8), codes (95, 127): another code within range that keeps the row's
    // peak is not detected behind a valid checksum (the codes are not recomputed; the checksum
    // is what guards them against damage).
    let mut other = good.clone();
    other[codes + 16] = 100;
    reseal(&mut other);
    assert!(Model::from_bytes(&other).is_ok());
}

/// The sample model, and the model as a version-3 file (int8 codes only).
fn int8_file() -> (Model, Vec<u8>) {
    let m = Model::from_parts(sample_parts()).unwrap();
    let bytes = m.to_file(Embeddings::Int8);
    (m, bytes)
}

fn rows(m: &Model) -> Vec<Vec<f32>> {
    (0..m.len() as u32)
        .map(|i| m.embedding(i).unwrap().to_vec())
        .collect()
}

#[test]
fn int8_only_files_hold_the_codes_and_load_back_the_same() {
    let (m, bytes) = int8_file();
    let version = |b: &[u8]| u16::from_le_bytes([b[8], b[9]]);
    assert_eq!(version(&bytes), 3);
    let s = sections(&bytes, None).unwrap();
    assert!(s.get(tag::EMBEDDINGS).is_none() && s.get(tag::CODES).is_some());
    assert!(bytes.len() < m.to_bytes().len());
    let back = Model::from_bytes(&bytes).unwrap();
    assert!(back.embeddings().is_empty(), "no f32 rows are made");
    assert_eq!(back.dims(), m.dims());
    assert_eq!(back.quantized().codes, m.quantized().codes);
    // Each row is its codes at unit length: within half a code step of the built row.
    for (built, read) in rows(&m).iter().zip(rows(&back)) {
        let norm = read.iter().map(|x| x * x).sum::<f32>();
        assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-6, "{read:?}");
        for (x, y) in built.iter().zip(&read) {
            assert!(
                (x - y).abs() <= 0.5 / 127.0 + 1e-6,
                "{built:?} read as {read:?}"
            );
        }
    }
    // Everything else is the same model, and it writes back the same file.
    let rowless = |p: &ModelParts| ModelParts {
        embeddings: Default::default(),
        ..p.clone()
    };
    same(&rowless(back.parts()), &rowless(m.parts()));
    assert_eq!(back.to_bytes(), bytes);
    // Written with f32 rows (version 2), it loads to the same codes and rows.
    let with_rows = back.to_file(Embeddings::F32);
    assert_eq!(version(&with_rows), 2);
    let again = Model::from_bytes(&with_rows).unwrap();
    assert_eq!(again.quantized().codes, back.quantized().codes);
    for (x, y) in rows(&again)
        .iter()
        .flatten()
        .zip(rows(&back).iter().flatten())
    {
        assert!((x - y).abs() <= 1e-6);
    }
    // Copied in by pieces, the codes are checked on the way, and loading agrees.
    for piece in [1, 7, 64, bytes.len()] {
        let blob = crate::value::Blob::copy_in(bytes.len(), piece, |at, k, v| {
            v.extend_from_slice(&bytes[at..at + k]);
            true
        })
        .unwrap();
        let pre = &blob.incoming.as_ref().unwrap().pre;
        assert_eq!((pre.rows.checked, pre.codes.checked), (0, m.len()));
        let copied = Model::from_file_incoming(blob.bytes, blob.incoming.map(|i| *i)).unwrap();
        assert_eq!(copied.quantized(), back.quantized(), "{piece}");
    }
    // Version 2 has no int8-only embeddings: such a file is damaged.
    let mut as_v2 = bytes.clone();
    as_v2[8..10].copy_from_slice(&2u16.to_le_bytes());
    reseal(&mut as_v2);
    assert!(message(&as_v2).contains("section EMBD is shorter"));
}

#[test]
fn damaged_int8_only_files_are_refused() {
    let (_, good) = int8_file();
    let s = sections(&good, None).unwrap();
    let (_, off, len) = *s.table.iter().find(|(t, _, _)| *t == tag::CODES).unwrap();
    // u32 dims, u32 stride, f32 scales[4], then 4 rows of 16 codes; row 1 is (95, 127).
    let (scales, codes) = (off + 8, off + 8 + 16);
    assert_eq!(len, 8 + 16 + 4 * 16);
    let set = |edits: &[(usize, u8)]| {
        let mut bad = good.clone();
        for &(at, value) in edits {
            bad[at] = value;
        }
        reseal(&mut bad);
        message(&bad)
    };
    let scale_of = |squares: u64| unit_scale(squares).to_le_bytes();
    // A scale or a code changed alone: the scale no longer makes the codes unit length.
    assert!(set(&[(scales + 4, 0x01)]).contains("a scale does not match its row"));
    assert!(set(&[(codes + 16, 100)]).contains("a scale does not match its row"));
    // Codes and scale changed together: the codes must still reach 127.
    let s = scale_of(100 * 100);
    let e = set(&[
        (codes + 16, 100),
        (codes + 17, 0),
        (scales + 4, s[0]),
        (scales + 5, s[1]),
        (scales + 6, s[2]),
        (scales + 7, s[3]),
    ]);
    assert!(
        e.contains("codes are out of range or do not match its scale"),
        "{e}"
    );
    // The 95 moved into the padding: the same length, but the padding must be zero.
    let e = set(&[(codes + 16, 0), (codes + 18, 95)]);
    assert!(e.contains("padding is not zero"), "{e}");
    assert!(set(&[(off, 3)]).contains("the EMBQ section does not match the embeddings"));
}

#[test]
fn the_stored_id_table_is_used_checked_and_optional() {
    let good = encode(&sample_parts());
    let s = sections(&good, None).unwrap();
    let (_, off, len) = *s
        .table
        .iter()
        .find(|(t, _, _)| *t == tag::ID_INDEX)
        .unwrap();
    assert_eq!(len, 8 * 4, "4 ids, at most half full: 8 slots");
    let slots: Vec<u32> = good[off..off + len]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let m = Model::from_bytes(&good).unwrap();
    for (i, id) in ["b", "a", "ü-3", "c"].into_iter().enumerate() {
        assert_eq!(m.index_of(id), Some(i as u32));
    }
    assert_eq!(m.index_of("d"), None);

    // An unusable table is refused: an item that does not exist, a full table, another count
    // of items.
    let unusable = "the id hash table (IDHX) is not a power of two long";
    let full = slots.iter().position(|&s| s == 0).unwrap();
    let named = slots.iter().position(|&s| s != 0).unwrap();
    for (slot, value) in [(named, 5u32), (full, 1), (named, 0)] {
        let mut bad = good.clone();
        bad[off + 4 * slot..off + 4 * slot + 4].copy_from_slice(&value.to_le_bytes());
        reseal(&mut bad);
        assert!(message(&bad).contains(unusable), "slot {slot} = {value}");
    }
    // A table whose items are misplaced (behind a valid checksum) loads; the ids it misplaces are
    // not found, and nothing else goes wrong.
    let mut moved = good.clone();
    let mut rotated = slots.clone();
    rotated.rotate_left(1);
    for (k, v) in rotated.iter().enumerate() {
        moved[off + 4 * k..off + 4 * k + 4].copy_from_slice(&v.to_le_bytes());
    }
    reseal(&mut moved);
    let m = Model::from_bytes(&moved).unwrap();
    for id in ["b", "a", "ü-3", "c", "d", ""] {
        if let Some(i) = m.index_of(id) {
            assert_eq!(m.id(i), id);
        }
    }

    // Without the section (files written before it), the table is built on load, and a
    // repeated id is found then.
    let mut p = sample_parts();
    let without: Vec<u8> = {
        let mut bytes = encode(&p);
        let (at, _) = s
            .table
            .iter()
            .enumerate()
            .find(|(_, e)| e.0 == tag::ID_INDEX)
            .unwrap();
        // Renaming the section hides it (unknown tags are ignored).
        let entry = HEADER_LEN + at * ENTRY_LEN;
        bytes[entry..entry + 4].copy_from_slice(b"XXXX");
        reseal(&mut bytes);
        bytes
    };
    let m = Model::from_bytes(&without).unwrap();
    assert_eq!(m.index_of("ü-3"), Some(2));
    p.ids = ["a", "a", "b", "c"].into_iter().collect();
    let twice = encode(&p);
    assert!(sections(&twice, None)
        .unwrap()
        .table
        .iter()
        .all(|(t, _, _)| *t != tag::ID_INDEX));
    assert!(message(&twice).contains("item id 'a' appears twice"));
}
