//! Arrays of numbers that a model either owns or reads in place from its file's bytes.
//!
//! `open({model})` copies the file into wasm memory once; the large arrays of a model (embedding
//! rows, int8 codes, neighbour rows: 45 of the 50 MB of a 100,000-item file) are then views of
//! that one buffer instead of copies of it (copying them was a fifth of `open`, and doubled the
//! memory it leaves behind). Arrays built in memory (the builder, the `catalog` option) are owned.
//! Either way an [`Array`] reads as a slice; writing goes through [`Array::to_mut`], which copies a
//! view first, so a model never changes its file.

use std::sync::Arc;

/// Number types an [`Array`] may view in a file: four bytes or one, no padding, every bit pattern
/// a value, read little-endian.
pub trait Plain: Copy + Default + PartialEq + core::fmt::Debug + 'static {
    /// The value of `b`, which holds exactly `size_of::<Self>()` little-endian bytes.
    fn from_le(b: &[u8]) -> Self;
}

impl Plain for u32 {
    fn from_le(b: &[u8]) -> Self {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Plain for f32 {
    fn from_le(b: &[u8]) -> Self {
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Plain for i8 {
    fn from_le(b: &[u8]) -> Self {
        b[0] as i8
    }
}

/// The bytes of a model file, shared by the arrays that view them.
pub type FileBytes = Arc<Vec<u8>>;

/// A read-only array of `T`, owned or viewing a model file's bytes.
#[derive(Clone)]
pub struct Array<T: Plain>(Repr<T>);

#[derive(Clone)]
enum Repr<T> {
    Owned(Vec<T>),
    /// `len` values at byte `start` of `file`: in bounds and aligned for `T` (checked by
    /// [`Array::in_file`], the only constructor).
    InFile {
        file: FileBytes,
        start: usize,
        len: usize,
    },
}

impl<T: Plain> Array<T> {
    /// The values whose bytes are `part`, a sub-slice of `file` (any other slice is copied):
    /// viewed in place when the target is little-endian and `part` is aligned for `T` (sections
    /// start at 8-byte offsets and the buffer comes from the allocator, so in practice always),
    /// else copied. `None` when `part` is not a whole number of values.
    pub fn in_file(file: &FileBytes, part: &[u8]) -> Option<Self> {
        let size = core::mem::size_of::<T>();
        if part.len() % size != 0 {
            return None;
        }
        let len = part.len() / size;
        let base = file.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        let inside = at >= base && at - base + part.len() <= file.len();
        if cfg!(target_endian = "little") && inside && at % core::mem::align_of::<T>() == 0 {
            return Some(Array(Repr::InFile {
                file: Arc::clone(file),
                start: at - base,
                len,
            }));
        }
        Some(Array(Repr::Owned(
            part.chunks_exact(size).map(T::from_le).collect(),
        )))
    }

    /// The values, owned from here on (a view is copied the first time).
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Repr::InFile { .. } = self.0 {
            self.0 = Repr::Owned(self.as_slice().to_vec());
        }
        match &mut self.0 {
            Repr::Owned(v) => v,
            Repr::InFile { .. } => unreachable!(),
        }
    }

    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::Owned(v) => v,
            // SAFETY: `in_file` checked that `start .. start + len · size_of::<T>()` lies inside
            // `file` and that its address is aligned for `T`; `T` is a plain number type (every bit
            // pattern a value). The buffer is never written while views of it exist: `FileBytes`
            // is shared, not mutable, and `file` keeps it alive as long as this view.
            Repr::InFile { file, start, len } => unsafe {
                core::slice::from_raw_parts(file.as_ptr().add(*start).cast::<T>(), *len)
            },
        }
    }

    /// Bytes this array holds of its own (0 for a view: the file's bytes are counted once).
    pub fn heap_bytes(&self) -> usize {
        match &self.0 {
            Repr::Owned(v) => v.capacity() * core::mem::size_of::<T>(),
            Repr::InFile { .. } => 0,
        }
    }
}

impl<T: Plain> core::ops::Deref for Array<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Plain> Default for Array<T> {
    fn default() -> Self {
        Array(Repr::Owned(Vec::new()))
    }
}

impl<T: Plain> From<Vec<T>> for Array<T> {
    fn from(v: Vec<T>) -> Self {
        Array(Repr::Owned(v))
    }
}

impl<T: Plain> FromIterator<T> for Array<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Array(Repr::Owned(iter.into_iter().collect()))
    }
}

impl<'a, T: Plain> IntoIterator for &'a Array<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: Plain> PartialEq for Array<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Plain> core::fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_read_like_copies_and_copy_before_writing() {
        let mut bytes = vec![0u8; 4];
        for x in [1.5f32, -2.0, 0.25] {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        let file: FileBytes = Arc::new(bytes);
        let mut a = Array::<f32>::in_file(&file, &file[4..16]).unwrap();
        assert_eq!(&a[..], &[1.5, -2.0, 0.25]);
        assert_eq!(a.heap_bytes(), 0, "a view of the file");
        assert_eq!(a, Array::from(vec![1.5, -2.0, 0.25]));
        a.to_mut()[0] = 9.0;
        assert_eq!(&a[..], &[9.0, -2.0, 0.25]);
        assert_eq!(&file[4..8], &1.5f32.to_le_bytes(), "the file is unchanged");
        // Misaligned (byte 5) or foreign slices are copied; a partial value is refused.
        let odd = Array::<u32>::in_file(&file, &file[5..9]).unwrap();
        assert_eq!(
            odd[0],
            u32::from_le_bytes([file[5], file[6], file[7], file[8]])
        );
        assert!(odd.heap_bytes() > 0);
        let other = [7u8, 0, 0, 0];
        assert_eq!(&Array::<u32>::in_file(&file, &other).unwrap()[..], &[7]);
        assert!(Array::<u32>::in_file(&file, &file[4..7]).is_none());
        let codes = Array::<i8>::in_file(&file, &file[3..5]).unwrap();
        assert_eq!(&codes[..], &[0, 0]);
    }
}
