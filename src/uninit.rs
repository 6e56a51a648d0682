//! Storage that costs nothing per unused slot.
//!
//! A head of three fields should not pay for writing the other 97 slots of a
//! 100-slot array. The two types here keep slots uninitialised until a value
//! is pushed and only ever hand out the initialised prefix:
//!
//! * [`Slots`]: an owned, fixed-capacity array (the message parser's field
//!   spans). Building one writes its length, not its `N` slots.
//! * [`Prefix`]: the same over a caller's `&mut [MaybeUninit<T>]` (the
//!   one-shot API's header storage); [`Prefix::into_init`] gives the
//!   initialised prefix back as `&mut [T]` for the storage's whole lifetime.
//!
//! Both hold one invariant: the first `len` slots are initialised. Every
//! write goes through `MaybeUninit::write` at index `len` before `len` grows,
//! so the `unsafe` reads below rely on nothing else. `T: Copy`, so no value
//! ever needs dropping. This module and `simd` are the only ones allowed
//! `unsafe`; its tests run under Miri (`cargo +nightly miri test --lib uninit`).
#![allow(unsafe_code)]

use core::fmt;
use core::mem::MaybeUninit;

/// Returned by `push` when every slot is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// The first `len` elements of `items`, which the caller guarantees are
/// initialised.
#[inline(always)]
fn init_prefix<T>(items: &[MaybeUninit<T>], len: usize) -> &[T] {
    debug_assert!(len <= items.len());
    // SAFETY: `len <= items.len()`, and the caller guarantees the first `len`
    // slots are initialised; `MaybeUninit<T>` has the layout of `T`.
    unsafe { core::slice::from_raw_parts(items.as_ptr().cast::<T>(), len) }
}

/// As [`init_prefix`], mutably.
#[inline(always)]
fn init_prefix_mut<T>(items: &mut [MaybeUninit<T>], len: usize) -> &mut [T] {
    debug_assert!(len <= items.len());
    // SAFETY: as in `init_prefix`; the exclusive borrow of `items` is handed on.
    unsafe { core::slice::from_raw_parts_mut(items.as_mut_ptr().cast::<T>(), len) }
}

/// Up to `N` values of `T`, stored inline; slots past `len` are never written
/// until pushed to.
pub(crate) struct Slots<T: Copy, const N: usize> {
    items: [MaybeUninit<T>; N],
    /// Invariant: `len <= N` and `items[..len]` are initialised.
    len: usize,
}

impl<T: Copy, const N: usize> Slots<T, N> {
    /// No slot taken; nothing but the length is written.
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        Slots { items: [const { MaybeUninit::uninit() }; N], len: 0 }
    }

    /// The values pushed since the last `clear`, in order.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[T] {
        init_prefix(&self.items, self.len)
    }

    /// Stores `value` at `i`: over the value there (`i < len`) or after the
    /// last one (`i == len`).
    ///
    /// # Errors
    ///
    /// [`Full`] when `i` is past the values (`i > len`) or the storage.
    #[inline(always)]
    pub(crate) fn set(&mut self, i: usize, value: T) -> Result<(), Full> {
        if i > self.len {
            return Err(Full);
        }
        self.items.get_mut(i).ok_or(Full)?.write(value);
        self.len = self.len.max(i + 1);
        Ok(())
    }

    /// A [`SlotsWriter`] that stores values at `*at`, `*at + 1`, ... (over
    /// the values there, then after them) below `cap`, and sets `*at` to
    /// where it stopped when dropped.
    #[inline(always)]
    pub(crate) fn writer<'s>(&'s mut self, at: &'s mut usize, cap: usize) -> SlotsWriter<'s, T> {
        let next = (*at).min(self.len);
        let end = cap.min(N).max(next);
        SlotsWriter { items: self.items.get_mut(..end).unwrap_or_default(), next, len: &mut self.len, at }
    }
}

/// Used by the tests only (the parsers write through `set` and `writer`).
#[cfg(test)]
impl<T: Copy, const N: usize> Slots<T, N> {
    /// Stores `value` in the next free slot and returns that slot.
    ///
    /// # Errors
    ///
    /// [`Full`] when all `N` slots are taken (nothing changes).
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) -> Result<&mut T, Full> {
        let slot = self.items.get_mut(self.len).ok_or(Full)?;
        self.len += 1;
        Ok(slot.write(value))
    }

    /// How many slots are taken.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True if no slot is taken.
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The values pushed since the last `clear`, in order, for editing.
    #[inline(always)]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        init_prefix_mut(&mut self.items, self.len)
    }

    /// Forgets every value (they are `Copy`: nothing to drop).
    #[inline(always)]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

/// Stores values one after another into a [`Slots`] from a given index, the
/// index in a local (a register, in a loop); the slots' length and the
/// caller's index are brought up to date when it is dropped. The slots'
/// invariant holds throughout: their length only grows to cover written
/// slots (a leaked writer leaves both as they were).
pub(crate) struct SlotsWriter<'s, T: Copy> {
    /// The slots up to the cap.
    items: &'s mut [MaybeUninit<T>],
    /// Where the next value goes; every slot below it is initialised.
    next: usize,
    len: &'s mut usize,
    at: &'s mut usize,
}

impl<T: Copy> SlotsWriter<'_, T> {
    /// Stores `value` at the next index below the cap.
    ///
    /// # Errors
    ///
    /// [`Full`] at the cap (nothing changes).
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) -> Result<(), Full> {
        self.items.get_mut(self.next).ok_or(Full)?.write(value);
        self.next += 1;
        Ok(())
    }
}

impl<T: Copy> Drop for SlotsWriter<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.len = (*self.len).max(self.next);
        *self.at = self.next;
    }
}

impl<T: Copy, const N: usize> Default for Slots<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Copies the taken slots only.
impl<T: Copy, const N: usize> Clone for Slots<T, N> {
    fn clone(&self) -> Self {
        let mut copy = Self::new();
        for (to, from) in copy.items.iter_mut().zip(self.as_slice()) {
            to.write(*from);
        }
        copy.len = self.len;
        copy
    }
}

impl<T: Copy + fmt::Debug, const N: usize> fmt::Debug for Slots<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// Appends to a [`Prefix`] with the length in a local, so a
/// loop that pushes keeps it in a register; the owner's length is brought
/// up to date when the pusher is dropped. The owner's invariant holds
/// throughout: its length only ever grows to a count of written slots (and
/// if the pusher is leaked, the owner keeps its old, shorter length).
pub(crate) struct Pusher<'s, T: Copy> {
    /// The owner's slots up to the cap.
    items: &'s mut [MaybeUninit<T>],
    /// Invariant: `len <= items.len()` and `items[..len]` are initialised.
    len: usize,
    owner_len: &'s mut usize,
}

impl<'s, T: Copy> Pusher<'s, T> {
    #[inline(always)]
    fn new(items: &'s mut [MaybeUninit<T>], owner_len: &'s mut usize, cap: usize) -> Self {
        let len = *owner_len;
        let end = cap.min(items.len()).max(len);
        Pusher { items: items.get_mut(..end).unwrap_or_default(), len, owner_len }
    }

    /// Stores `value` in the next free slot below the cap.
    ///
    /// # Errors
    ///
    /// [`Full`] at the cap (nothing changes).
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) -> Result<(), Full> {
        self.items.get_mut(self.len).ok_or(Full)?.write(value);
        self.len += 1;
        Ok(())
    }
}

#[cfg(test)]
impl<T: Copy> Pusher<'_, T> {
    /// How many values the owner holds, those pushed here included.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl<T: Copy> Drop for Pusher<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.owner_len = self.len;
    }
}

/// Values pushed one after another into a caller's uninitialised storage.
pub(crate) struct Prefix<'s, T: Copy> {
    items: &'s mut [MaybeUninit<T>],
    /// Invariant: `len <= items.len()` and `items[..len]` are initialised.
    len: usize,
}

impl<'s, T: Copy> Prefix<'s, T> {
    /// Nothing pushed yet; nothing is written.
    #[inline(always)]
    pub(crate) fn new(items: &'s mut [MaybeUninit<T>]) -> Self {
        Prefix { items, len: 0 }
    }

    /// Stores `value` in the next free slot and returns that slot.
    ///
    /// # Errors
    ///
    /// [`Full`] when every slot is taken (nothing changes).
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) -> Result<&mut T, Full> {
        let slot = self.items.get_mut(self.len).ok_or(Full)?;
        self.len += 1;
        Ok(slot.write(value))
    }

    /// How many values were pushed.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Forgets every value pushed.
    #[inline(always)]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// A [`Pusher`] that appends after the values so far, up to `cap` in all.
    #[inline(always)]
    pub(crate) fn pusher(&mut self, cap: usize) -> Pusher<'_, T> {
        Pusher::new(self.items, &mut self.len, cap)
    }

    /// The values pushed, as a slice of the caller's storage that lives as
    /// long as the storage's borrow.
    #[inline(always)]
    pub(crate) fn into_init(self) -> &'s mut [T] {
        init_prefix_mut(self.items, self.len)
    }
}

#[cfg(test)]
impl<T: Copy> Prefix<'_, T> {
    /// How many values fit in all.
    #[inline(always)]
    pub(crate) fn capacity(&self) -> usize {
        self.items.len()
    }

    /// The values pushed, in order.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[T] {
        init_prefix(self.items, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_hand_back_what_was_pushed_until_full() {
        let mut s = Slots::<(u32, u32), 3>::new();
        assert!(s.is_empty());
        assert_eq!(s.as_slice(), &[]);
        assert_eq!(s.push((1, 2)), Ok(&mut (1, 2)));
        *s.push((3, 4)).unwrap() = (5, 6);
        assert_eq!(s.push((7, 8)).map(|v| *v), Ok((7, 8)));
        assert_eq!(s.push((9, 9)), Err(Full));
        assert_eq!(s.len(), 3);
        assert_eq!(s.as_slice(), &[(1, 2), (5, 6), (7, 8)]);
        s.as_mut_slice()[0].1 = 20;
        assert_eq!(s.as_slice()[0], (1, 20));
    }

    #[test]
    fn cleared_slots_are_reused_and_old_values_never_shown() {
        let mut s = Slots::<u64, 4>::new();
        for v in 0..4 {
            s.push(v).unwrap();
        }
        s.clear();
        assert_eq!(s.len(), 0);
        assert_eq!(s.as_slice(), &[]);
        s.push(40).unwrap();
        assert_eq!(s.as_slice(), &[40]);
    }

    #[test]
    fn zero_capacity_is_always_full() {
        let mut s = Slots::<u8, 0>::new();
        assert_eq!(s.push(1), Err(Full));
        assert_eq!(s.as_slice(), &[]);
        let mut p = Prefix::<u8>::new(&mut []);
        assert_eq!(p.push(1), Err(Full));
        assert_eq!(p.into_init(), &[]);
    }

    #[test]
    fn a_clone_copies_the_taken_slots_and_is_independent() {
        let mut s = Slots::<u16, 8>::default();
        s.push(1).unwrap();
        s.push(2).unwrap();
        let mut c = s.clone();
        c.push(3).unwrap();
        s.as_mut_slice()[0] = 9;
        assert_eq!(c.as_slice(), &[1, 2, 3]);
        assert_eq!(s.as_slice(), &[9, 2]);
        assert_eq!(format!("{s:?}"), "[9, 2]");
    }

    #[test]
    fn a_prefix_fills_caller_storage_and_hands_back_only_the_values() {
        let mut storage = [const { MaybeUninit::<(&str, &str)>::uninit() }; 4];
        let mut p = Prefix::new(&mut storage);
        assert_eq!(p.capacity(), 4);
        p.push(("Host", "a")).unwrap();
        p.push(("Accept", "*/*")).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p.as_slice(), &[("Host", "a"), ("Accept", "*/*")]);
        let init = p.into_init();
        init[1].1 = "text/plain";
        assert_eq!(init, &[("Host", "a"), ("Accept", "text/plain")]);
    }

    #[test]
    fn a_cleared_prefix_starts_over_and_stops_at_the_storage_end() {
        let mut storage = [MaybeUninit::<u32>::uninit(); 2];
        let mut p = Prefix::new(&mut storage);
        p.push(1).unwrap();
        p.clear();
        p.push(2).unwrap();
        p.push(3).unwrap();
        assert_eq!(p.push(4), Err(Full));
        assert_eq!(p.into_init(), &[2, 3]);
    }

    #[test]
    fn a_prefix_over_initialised_storage_shows_none_of_it() {
        let mut storage = [MaybeUninit::new(7u8); 3];
        let p = Prefix::new(&mut storage);
        assert_eq!(p.as_slice(), &[]);
        assert_eq!(p.into_init(), &[]);
    }

    #[test]
    fn a_pusher_appends_up_to_its_cap_and_the_owner_sees_it_when_dropped() {
        let mut storage = [MaybeUninit::<u32>::uninit(); 4];
        let mut s = Prefix::new(&mut storage);
        s.push(1).unwrap();
        {
            let mut p = s.pusher(3);
            assert_eq!(p.len(), 1);
            assert_eq!(p.push(2), Ok(()));
            assert_eq!(p.push(3), Ok(()));
            assert_eq!(p.push(4), Err(Full), "the cap, below the storage");
            assert_eq!(p.len(), 3);
        }
        assert_eq!(s.as_slice(), &[1, 2, 3]);
        // A cap past the storage stops at the storage.
        let mut p = s.pusher(99);
        assert_eq!(p.push(4), Ok(()));
        assert_eq!(p.push(5), Err(Full));
        drop(p);
        assert_eq!(s.as_slice(), &[1, 2, 3, 4]);
    }

    #[test]
    fn a_leaked_pusher_leaves_the_owner_as_it_was() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 3];
        let mut prefix = Prefix::new(&mut storage);
        prefix.push(7).unwrap();
        let mut p = prefix.pusher(3);
        p.push(8).unwrap();
        core::mem::forget(p);
        assert_eq!(prefix.as_slice(), &[7]);
        let mut p = prefix.pusher(3);
        p.push(9).unwrap();
        drop(p);
        assert_eq!(prefix.into_init(), &[7, 9]);
    }

    #[test]
    fn set_overwrites_or_appends_and_never_leaves_a_gap() {
        let mut s = Slots::<u8, 3>::new();
        assert_eq!(s.set(1, 9), Err(Full), "a gap");
        s.set(0, 1).unwrap();
        s.set(1, 2).unwrap();
        s.set(0, 5).unwrap();
        assert_eq!(s.as_slice(), &[5, 2]);
        s.set(2, 3).unwrap();
        assert_eq!(s.set(3, 4), Err(Full), "past the storage");
        assert_eq!(s.as_slice(), &[5, 2, 3]);
    }

    #[test]
    fn a_slots_writer_overwrites_from_its_index_then_appends_up_to_its_cap() {
        let mut s = Slots::<u8, 5>::new();
        for v in [1, 2, 3] {
            s.push(v).unwrap();
        }
        let mut at = 1;
        {
            let mut w = s.writer(&mut at, 4);
            w.push(20).unwrap();
            w.push(30).unwrap();
            w.push(40).unwrap();
            assert_eq!(w.push(50), Err(Full), "the cap");
        }
        assert_eq!(at, 4);
        assert_eq!(s.as_slice(), &[1, 20, 30, 40]);
        // An index past the values starts at their end; a leaked writer
        // changes nothing.
        let mut at = 9;
        let mut w = s.writer(&mut at, 5);
        w.push(7).unwrap();
        core::mem::forget(w);
        assert_eq!((at, s.as_slice()), (9, &[1, 20, 30, 40][..]));
        let mut at = 0;
        drop(s.writer(&mut at, 5));
        assert_eq!((at, s.len()), (0, 4), "a writer that wrote nothing keeps the values");
    }
}
