//! Arrays of numbers that a model either owns or reads in place from its file's bytes.
//!
//! `open({model})` copies the file into wasm memory once; the large arrays of a model (embedding
//! rows, int8 codes, neighbour rows: 45 of the 50 MB of a 100,000-item file) are then views of
//! that one buffer instead of copies of it (copying them was a fifth of `open`, and doubled the
//! memory it leaves behind), and so are the per-item columns read as stored (categories, brands,
//! prices), the stored popularity and trending orders and the string tables (ids, titles, names:
//! [`super::Strings`]) — 4.5 MB less memory at 100,000 items, and as many fresh pages fewer for a
//! page's first `open` to touch. Arrays built in memory (the builder, the `catalog` option) are
//! owned. Either way an [`Array`] reads as a slice; writing goes through [`Array::to_mut`] or
//! [`Array::extend_from_slice`], which copy a view first, so a model never changes its file.

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

impl Plain for u8 {
    fn from_le(b: &[u8]) -> Self {
        b[0]
    }
}

/// The bytes of a model file, shared by the arrays that view them.
pub type FileBytes = Arc<Vec<u8>>;

/// A read-only array of `T`, owned or viewing a model file's bytes. Reading is the same either
/// way (a pointer and a length, no branch): only who keeps the values alive differs.
pub struct Array<T: Plain> {
    /// The first value: in `owner`'s heap buffer, aligned, with `len` values after it.
    ptr: *const T,
    len: usize,
    owner: Owner<T>,
}

#[derive(Clone)]
enum Owner<T> {
    Vec(Vec<T>),
    File(FileBytes),
}

// SAFETY: an `Array` is a shared, read-only slice of memory owned by `owner` (a `Vec` or an
// `Arc`, both Send and Sync for these plain number types); the pointer only caches where it is.
// Mutation (`to_mut`) needs `&mut self`.
unsafe impl<T: Plain + Send> Send for Array<T> {}
// SAFETY: as above; `&Array` gives only `&[T]`.
unsafe impl<T: Plain + Sync> Sync for Array<T> {}

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
            return Some(Array {
                ptr: part.as_ptr().cast::<T>(),
                len,
                owner: Owner::File(Arc::clone(file)),
            });
        }
        Some(part.chunks_exact(size).map(T::from_le).collect())
    }

    /// The values, to change in place (a view of a file is copied first; the file never changes).
    pub fn to_mut(&mut self) -> &mut [T] {
        if let Owner::File(_) = self.owner {
            *self = Array::from(self.as_slice().to_vec());
        }
        let Owner::Vec(v) = &mut self.owner else {
            return &mut [];
        };
        // `as_mut_ptr` makes no reference to the values, so `ptr` and the slice below may both
        // be derived from it; the vector is never grown here, so it stays where it is.
        let p = v.as_mut_ptr();
        self.ptr = p;
        // SAFETY: `p` points at the vector's `len` initialised values, and `&mut self` keeps
        // every other access to them out for the slice's lifetime.
        unsafe { core::slice::from_raw_parts_mut(p, self.len) }
    }

    /// Appends `values` (a view of a file is copied first, as by [`Array::to_mut`]).
    pub fn extend_from_slice(&mut self, values: &[T]) {
        self.to_mut();
        if let Owner::Vec(v) = &mut self.owner {
            v.extend_from_slice(values);
            // The vector may have moved: the pointer follows it.
            self.ptr = v.as_mut_ptr();
            self.len = v.len();
        }
    }

    pub fn push(&mut self, value: T) {
        self.extend_from_slice(&[value]);
    }

    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `ptr` points at `len` initialised values inside `owner`'s buffer, aligned for
        // `T` (a `Vec`'s own pointer, or checked by `in_file`), and `owner` keeps that buffer
        // alive and unchanged while `self` is borrowed: the file's bytes are shared, never
        // written, and the vector is only written through `to_mut`, which borrows `self` mutably
        // and never reallocates it.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Bytes this array holds of its own (0 for a view: the file's bytes are counted once).
    pub fn heap_bytes(&self) -> usize {
        match &self.owner {
            Owner::Vec(v) => v.capacity() * core::mem::size_of::<T>(),
            Owner::File(_) => 0,
        }
    }
}

impl<T: Plain> Clone for Array<T> {
    fn clone(&self) -> Self {
        match &self.owner {
            Owner::Vec(v) => Array::from(v.clone()),
            Owner::File(f) => Array {
                ptr: self.ptr,
                len: self.len,
                owner: Owner::File(Arc::clone(f)),
            },
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
        Array::from(Vec::new())
    }
}

impl<T: Plain> From<Vec<T>> for Array<T> {
    fn from(mut v: Vec<T>) -> Self {
        Array {
            // Like `as_ptr`, makes no reference to the values; moving the vector moves none.
            ptr: v.as_mut_ptr(),
            len: v.len(),
            owner: Owner::Vec(v),
        }
    }
}

impl<T: Plain> FromIterator<T> for Array<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Array::from(iter.into_iter().collect::<Vec<T>>())
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

impl<T: Plain + Eq> Eq for Array<T> {}

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
        let mut b = Array::<f32>::in_file(&file, &file[4..12]).unwrap();
        b.push(4.0);
        b.extend_from_slice(&[5.0; 100]);
        assert_eq!(b.len(), 103);
        assert_eq!(&b[..4], &[1.5, -2.0, 4.0, 5.0], "a view grows on a copy");
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
