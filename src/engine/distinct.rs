//! Exact sets of distinct account ids and IP addresses, each value with a dense id, in about 25 bytes a
//! value at a million values.
//!
//! Almost every value the sets see fits losslessly in 128 bits once its form is known: IPv4 addresses
//! and other short text (up to 16 bytes) as their bytes, UUIDs written in lower or upper case as their
//! 128 bits, and IPv6 addresses written as RFC 5952 prescribes as their 128 bits. The form is part of the
//! hash and of equality, so two values share an id only when their text is the same. Anything else (long account ids
//! such as e-mail addresses, IPv6 written another way) is kept as bytes in an arena that never moves.
//!
//! The 128 bits live once, in a chunked array by id; the hash tables hold only 4-byte ids, spread over
//! `PARTS` tables by hash, so a table that grows (and briefly holds its old and new slots) is a sixteenth
//! of the set: the peak stays near the settled size instead of doubling it. The
//! hash is keyed with a per-process seed, so a hostile report cannot choose values that all collide.

use hashbrown::HashTable;

use crate::engine::dense::Dense;
use crate::engine::seed::hash_seed;
use crate::engine::snapshot::{Item, Reader, Writer, bad, ensure};
use crate::error::Result;

pub(crate) const PARTS: usize = 16;

/// The forms a value can take; a packed value's hash and equality include its form.
#[derive(Clone, Copy)]
enum Form {
    /// Up to 15 bytes, with the length in the last byte.
    Short = 0,
    /// Exactly 16 bytes.
    Sixteen = 1,
    UuidLower = 2,
    UuidUpper = 3,
    Ipv6 = 4,
}
const FORMS: [Form; 5] = [Form::Short, Form::Sixteen, Form::UuidLower, Form::UuidUpper, Form::Ipv6];
/// The form byte of a value kept as bytes in the arena; its key holds their place.
const LONG: u8 = FORMS.len() as u8;

/// A long value's place in the arena: chunk and offset.
#[derive(Clone, Copy)]
struct Place {
    chunk: u32,
    offset: u32,
}

impl Place {
    fn key(self) -> [u64; 2] {
        [u64::from(self.chunk) | u64::from(self.offset) << 32, 0]
    }

    fn of_key(key: [u64; 2]) -> Place {
        Place {
            chunk: key[0] as u32,
            offset: (key[0] >> 32) as u32,
        }
    }
}

const CHUNK: usize = 64 * 1024;

/// Distinct values, each with a dense id (0, 1, 2, … in the order first seen), so other tables can refer
/// to a value in four bytes: the tally's per-account figures and its (account, IP) pairs.
#[derive(Clone)]
pub struct DistinctSet {
    /// Each id's 128 bits, and its form; the hash tables hold only ids.
    keys: Dense<[u64; 2]>,
    forms: Dense<u8>,
    packed: Vec<HashTable<u32>>,
    long: HashTable<u32>,
    /// Long values, each as a 4-byte length and its bytes; a chunk is never reallocated once made.
    chunks: Vec<Vec<u8>>,
    seed: u64,
}

impl Default for DistinctSet {
    fn default() -> Self {
        DistinctSet {
            keys: Dense::default(),
            forms: Dense::default(),
            packed: (0..PARTS).map(|_| HashTable::new()).collect(),
            long: HashTable::new(),
            chunks: Vec::new(),
            seed: hash_seed(),
        }
    }
}

impl DistinctSet {
    pub fn len(&self) -> u64 {
        self.keys.len() as u64
    }

    /// The id of `value`, adding it if new.
    #[inline]
    pub fn insert(&mut self, value: &[u8]) -> u32 {
        match pack(value) {
            Some((form, key)) => self.insert_packed(form, key),
            None => self.insert_long(value),
        }
    }

    #[inline]
    fn insert_packed(&mut self, form: Form, key: [u64; 2]) -> u32 {
        let DistinctSet {
            keys,
            forms,
            packed,
            seed,
            ..
        } = self;
        let seed = *seed;
        let hash = packed_hash(seed, form as u8, key);
        let table = &mut packed[part_of(hash)];
        if let Some(&id) = table.find(hash, |&id| keys.get(id) == key && forms.get(id) == form as u8) {
            return id;
        }
        let id = keys.push(key);
        forms.push(form as u8);
        let (keys, forms) = (&*keys, &*forms);
        table.insert_unique(hash, id, |&id| packed_hash(seed, forms.get(id), keys.get(id)));
        id
    }

    fn insert_long(&mut self, value: &[u8]) -> u32 {
        let hash = hash_bytes(self.seed, value);
        let DistinctSet {
            keys,
            forms,
            long,
            chunks,
            seed,
            ..
        } = self;
        let seed = *seed;
        if let Some(&id) = long.find(hash, |&id| read(chunks, Place::of_key(keys.get(id))) == value) {
            return id;
        }
        let id = keys.push(write(chunks, value).key());
        forms.push(LONG);
        let (keys, chunks) = (&*keys, &*chunks);
        long.insert_unique(hash, id, |&id| {
            hash_bytes(seed, read(chunks, Place::of_key(keys.get(id))))
        });
        id
    }

    /// Calls `f` with the bytes of value `id` (below `len()`), equal to those inserted.
    pub fn with_value<R>(&self, id: u32, f: impl FnOnce(&[u8]) -> R) -> R {
        let key = self.keys.get(id);
        match FORMS.get(usize::from(self.forms.get(id))) {
            Some(&form) => {
                let mut text = [0u8; 39];
                let n = unpack(form, key, &mut text);
                f(&text[..n])
            }
            None => f(read(&self.chunks, Place::of_key(key))),
        }
    }

    /// Bytes of memory the set holds, for `limits::MAX_TALLY_BYTES`.
    pub fn held_bytes(&self) -> usize {
        let tables: usize = self.packed.iter().map(HashTable::allocation_size).sum();
        let chunks: usize = self.chunks.iter().map(Vec::capacity).sum();
        tables + self.long.allocation_size() + chunks + self.keys.held_bytes() + self.forms.held_bytes()
    }
}

/// In a snapshot, each form's values are 128-bit numbers in ascending order, each written as its distance
/// from the one before: sorted random UUIDs share their leading bits with their neighbours, so about two of
/// their 16 bytes come out as zeros that deflate squeezes. Short text (mostly IPv4 addresses) is written as
/// the length it shares with the text before and the rest. Long values follow, sorted, as bytes.
impl DistinctSet {
    /// Writes the set; returns each id's place in the order written, which is its id once read back.
    pub(crate) fn put(&self, w: &mut Writer) -> Vec<u32> {
        let mut groups: Vec<Vec<(u128, u32)>> = vec![Vec::new(); FORMS.len()];
        let mut long: Vec<(&[u8], u32)> = Vec::new();
        for id in 0..self.keys.len() as u32 {
            let key = self.keys.get(id);
            match FORMS.get(usize::from(self.forms.get(id))) {
                Some(&form) => groups[form as usize].push((number_of(form, key), id)),
                None => long.push((read(&self.chunks, Place::of_key(key)), id)),
            }
        }
        let mut rank = vec![0u32; self.keys.len()];
        let mut next = 0u32;
        let mut place = |id: u32| {
            rank[id as usize] = next;
            next += 1;
        };
        for (form, mut group) in FORMS.into_iter().zip(groups) {
            group.sort_unstable();
            w.len(group.len());
            let mut previous = 0;
            for (n, id) in group {
                if matches!(form, Form::Short) {
                    put_after(w, &short_text(previous), &short_text(n));
                } else {
                    w.u128(n - previous);
                }
                previous = n;
                place(id);
            }
        }
        long.sort_unstable();
        w.len(long.len());
        for (value, id) in long {
            w.bytes(value);
            place(id);
        }
        rank
    }

    /// Reads a set `put` wrote. Each value goes through `insert` as text, so whatever the numbers say, the
    /// set holds only forms `insert` itself makes; a value listed twice is refused. `beside` is the memory
    /// the caller keeps for each value (its record), so that the reader's budget counts it too.
    pub(crate) fn take(r: &mut Reader<'_>, beside: usize) -> Result<Self> {
        let mut set = DistinctSet::default();
        let mut text = [0u8; 39];
        let add = |set: &mut DistinctSet, value: &[u8]| {
            let expected = set.len();
            ensure(
                u64::from(set.insert(value)) == expected,
                "a value is listed twice in one of its sets",
            )
        };
        // A value's 128 bits and form in their chunks, and its id in a table (with its control byte) that
        // may have just doubled.
        let memory = size_of::<[u64; 2]>() + 1 + 2 * (size_of::<u32>() + 1) + beside;
        for form in FORMS {
            let (mut number, mut short) = (0u128, ([0u8; 15], 0usize));
            // A short value is a shared length and its rest (a byte each at least), the others 16 bytes.
            let bytes = if matches!(form, Form::Short) { 2 } else { 16 };
            let cap = usize::MAX;
            for _ in 0..r.count(Item { bytes, memory, cap })? {
                let n = if matches!(form, Form::Short) {
                    take_after(r, &mut short)?;
                    text[..short.1].copy_from_slice(&short.0[..short.1]);
                    short.1
                } else {
                    number = number
                        .checked_add(r.u128()?)
                        .ok_or_else(|| bad("a set's values run past 128 bits"))?;
                    unpack(form, key_of(form, number), &mut text)
                };
                add(&mut set, &text[..n])?;
            }
        }
        let cap = usize::MAX;
        for _ in 0..r.count(Item { bytes: 1, memory, cap })? {
            add(&mut set, r.bytes()?)?;
        }
        Ok(set)
    }
}

/// A packed key as a number that sorts as its text does (short text) or as its value (UUIDs, IPv6).
fn number_of(form: Form, key: [u64; 2]) -> u128 {
    let value = u128::from(key[0]) | u128::from(key[1]) << 64;
    match form {
        Form::Short | Form::Sixteen => u128::from_be_bytes(value.to_le_bytes()),
        Form::UuidLower | Form::UuidUpper | Form::Ipv6 => value,
    }
}

/// The key of `number_of` for the forms written as numbers (every 128 bits are some text of theirs).
fn key_of(form: Form, number: u128) -> [u64; 2] {
    let value = match form {
        Form::Short | Form::Sixteen => u128::from_le_bytes(number.to_be_bytes()),
        Form::UuidLower | Form::UuidUpper | Form::Ipv6 => number,
    };
    [value as u64, (value >> 64) as u64]
}

/// The text of a short value's `number_of` (its length is in the last byte, below 16).
fn short_text(number: u128) -> Vec<u8> {
    let bytes = number.to_be_bytes();
    bytes[..usize::from(bytes[15]).min(15)].to_vec()
}

fn put_after(w: &mut Writer, previous: &[u8], text: &[u8]) {
    let shared = previous.iter().zip(text).take_while(|(a, b)| a == b).count();
    w.len(shared);
    w.bytes(&text[shared..]);
}

/// Reads what `put_after` wrote over `short` (the text before it and its length).
fn take_after(r: &mut Reader<'_>, short: &mut ([u8; 15], usize)) -> Result<()> {
    let shared = r.uint()?;
    let rest = r.bytes()?;
    let shared = usize::try_from(shared)
        .ok()
        .filter(|&shared| shared <= short.1 && shared + rest.len() <= 15)
        .ok_or_else(|| bad("a short value in it is longer than 15 bytes"))?;
    short.0[shared..shared + rest.len()].copy_from_slice(rest);
    short.1 = shared + rest.len();
    Ok(())
}

#[inline]
fn packed_hash(seed: u64, form: u8, key: [u64; 2]) -> u64 {
    mix(seed ^ u64::from(form), key)
}

#[inline]
pub(crate) fn part_of(hash: u64) -> usize {
    // Bits the table itself uses least: hashbrown takes the low bits for the bucket and the top 7 as a tag.
    (hash >> 40) as usize % PARTS
}

#[inline]
pub(crate) fn mix(seed: u64, key: [u64; 2]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (seed ^ key[0]).wrapping_mul(K);
    h ^= h >> 29;
    h = (h ^ key[1]).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    h.wrapping_mul(K) ^ (h >> 29)
}

fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = mix(seed, [bytes.len() as u64, 0]);
    for piece in bytes.chunks(16) {
        let mut words = [0u8; 16];
        words[..piece.len()].copy_from_slice(piece);
        h = mix(
            h,
            [
                u64::from_le_bytes(words[..8].try_into().unwrap_or_default()),
                u64::from_le_bytes(words[8..].try_into().unwrap_or_default()),
            ],
        );
    }
    h
}

fn read(chunks: &[Vec<u8>], place: Place) -> &[u8] {
    let chunk = &chunks[place.chunk as usize];
    let at = place.offset as usize;
    let len = u32::from_le_bytes(chunk[at..at + 4].try_into().unwrap_or_default()) as usize;
    &chunk[at + 4..at + 4 + len]
}

fn write(chunks: &mut Vec<Vec<u8>>, value: &[u8]) -> Place {
    let need = 4 + value.len();
    let fits = chunks
        .last()
        .is_some_and(|c| c.capacity() - c.len() >= need && c.len() <= u32::MAX as usize);
    if !fits {
        chunks.push(Vec::with_capacity(need.max(CHUNK)));
    }
    let chunk_index = chunks.len() - 1;
    let chunk = &mut chunks[chunk_index];
    let offset = chunk.len() as u32;
    chunk.extend_from_slice(&(value.len() as u32).to_le_bytes());
    chunk.extend_from_slice(value);
    Place {
        chunk: chunk_index as u32,
        offset,
    }
}

/// The value's form and 128 bits, when it has one of the packed forms.
#[inline]
fn pack(value: &[u8]) -> Option<(Form, [u64; 2])> {
    match value.len() {
        0..=15 => {
            let mut bytes = [0u8; 16];
            bytes[..value.len()].copy_from_slice(value);
            bytes[15] = value.len() as u8;
            Some((Form::Short, words_of(&bytes)))
        }
        16 => {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(value);
            Some((Form::Sixteen, words_of(&bytes)))
        }
        17..=39 => uuid(value).or_else(|| ipv6(value).map(|key| (Form::Ipv6, key))),
        _ => None,
    }
}

fn words_of(bytes: &[u8; 16]) -> [u64; 2] {
    let (lo, hi) = bytes.split_at(8);
    [
        u64::from_le_bytes(lo.try_into().unwrap_or_default()),
        u64::from_le_bytes(hi.try_into().unwrap_or_default()),
    ]
}

const UUID_DASHES: [usize; 4] = [8, 13, 18, 23];

/// `8-4-4-4-12` hex in one case (digits alone count as lower case).
fn uuid(text: &[u8]) -> Option<(Form, [u64; 2])> {
    if text.len() != 36 {
        return None;
    }
    let (mut value, mut lower, mut upper) = (0u128, false, false);
    for (i, &c) in text.iter().enumerate() {
        if UUID_DASHES.contains(&i) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => {
                lower = true;
                c - b'a' + 10
            }
            b'A'..=b'F' => {
                upper = true;
                c - b'A' + 10
            }
            _ => return None,
        };
        value = value << 4 | u128::from(digit);
    }
    let form = match (lower, upper) {
        (_, false) => Form::UuidLower,
        (false, true) => Form::UuidUpper,
        (true, true) => return None,
    };
    Some((form, [value as u64, (value >> 64) as u64]))
}

/// An IPv6 address whose text is exactly its RFC 5952 form (lower case, no leading zeros, `::` for the
/// longest run of two or more zero groups, the first of equal runs), so the 128 bits give the text back.
fn ipv6(text: &[u8]) -> Option<[u64; 2]> {
    if !text.contains(&b':') {
        return None;
    }
    let mut groups = [0u16; 8];
    let (mut n, mut gap) = (0usize, None);
    let mut rest = text;
    if rest.starts_with(b"::") {
        gap = Some(0);
        rest = &rest[2..];
    }
    while !rest.is_empty() {
        let end = rest.iter().position(|&c| c == b':').unwrap_or(rest.len());
        let digits = &rest[..end];
        if digits.is_empty() || digits.len() > 4 || n == 8 {
            return None;
        }
        let mut group = 0u16;
        for &c in digits {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => return None,
            };
            group = group << 4 | u16::from(d);
        }
        groups[n] = group;
        n += 1;
        rest = &rest[end..];
        if rest.starts_with(b"::") {
            if gap.is_some() {
                return None;
            }
            gap = Some(n);
            rest = &rest[2..];
        } else if !rest.is_empty() {
            rest = &rest[1..];
            if rest.is_empty() {
                return None;
            }
        }
    }
    match gap {
        Some(at) if n < 8 => {
            groups.copy_within(at..n, at + 8 - n);
            groups[at..at + 8 - n].fill(0);
        }
        None if n == 8 => {}
        _ => return None,
    }
    let mut canonical = [0u8; 39];
    let len = write_ipv6(groups, &mut canonical);
    if &canonical[..len] != text {
        return None;
    }
    let value = groups.iter().fold(0u128, |v, &g| v << 16 | u128::from(g));
    Some([value as u64, (value >> 64) as u64])
}

/// RFC 5952 text of an address; returns its length.
fn write_ipv6(groups: [u16; 8], out: &mut [u8; 39]) -> usize {
    // The longest run of zero groups, at least two long; the first of equal runs.
    let (mut best, mut best_len, mut run) = (8, 1, 0);
    for (i, &group) in groups.iter().enumerate() {
        run = if group == 0 { run + 1 } else { 0 };
        if run > best_len {
            best_len = run;
            best = i + 1 - run;
        }
    }
    let mut len = 0;
    let mut i = 0;
    while i < 8 {
        if i == best {
            out[len..len + 2].copy_from_slice(b"::");
            len += 2;
            i += best_len;
            continue;
        }
        if i > 0 && i != best + best_len {
            out[len] = b':';
            len += 1;
        }
        len += write_hex(groups[i], &mut out[len..]);
        i += 1;
    }
    len
}

fn write_hex(group: u16, out: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = (1 + (15 - group.max(1).leading_zeros() as usize) / 4).min(4);
    for (k, slot) in out[..digits].iter_mut().enumerate() {
        *slot = HEX[usize::from(group >> (4 * (digits - 1 - k)) & 15)];
    }
    digits
}

/// The text of a packed value, written into `out`; returns its length.
fn unpack(form: Form, key: [u64; 2], out: &mut [u8; 39]) -> usize {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&key[0].to_le_bytes());
    bytes[8..].copy_from_slice(&key[1].to_le_bytes());
    let value = u128::from(key[0]) | u128::from(key[1]) << 64;
    match form {
        Form::Short => {
            let n = usize::from(bytes[15]);
            out[..n].copy_from_slice(&bytes[..n]);
            n
        }
        Form::Sixteen => {
            out[..16].copy_from_slice(&bytes);
            16
        }
        Form::UuidLower | Form::UuidUpper => {
            let hex: &[u8; 16] = if matches!(form, Form::UuidLower) {
                b"0123456789abcdef"
            } else {
                b"0123456789ABCDEF"
            };
            let mut at = 0;
            for nibble in 0..32 {
                if matches!(nibble, 8 | 12 | 16 | 20) {
                    out[at] = b'-';
                    at += 1;
                }
                out[at] = hex[(value >> (124 - 4 * nibble)) as usize & 15];
                at += 1;
            }
            at
        }
        Form::Ipv6 => write_ipv6(std::array::from_fn(|i| (value >> (112 - 16 * i)) as u16), out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(set: &DistinctSet, id: u32) -> Vec<u8> {
        set.with_value(id, <[u8]>::to_vec)
    }

    #[test]
    fn every_form_counts_exactly_and_gives_its_text_back() {
        let values: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"a\0",
            b"10.0.0.1",
            b"255.255.255.255",
            b"0123456789abcdef",
            b"0123456789abcdeF",
            b"123e4567-e89b-42d3-a456-426614174000",
            b"123E4567-E89B-42D3-A456-426614174000",
            b"123e4567-E89B-42d3-a456-426614174000",
            b"12345678-1234-1234-1234-123456789012",
            b"2001:db8::1",
            b"2001:db8:0:0:0:0:0:1",
            b"2001:0db8::1",
            b"2001:DB8::1",
            b"2a00:23c5:1a2b:3c4d:5e6f:7a8b:9c0d:1e2f",
            b"2a00:23c5:1a2b:3c4d:5e6f:7a8b:9c0d:1e2f:",
            b"::",
            b"::1",
            b"fe80::1:0:0:1",
            b"fe80:0:0:1::1",
            b"2001:db8:0:1:1:1:1:1",
            b"2001:db8::1:1:1:1:1",
            b"someone.with.a.long.name@example.ac.uk",
        ];
        let mut set = DistinctSet::default();
        for (id, v) in values.iter().enumerate() {
            assert_eq!(set.insert(v), id as u32, "{:?}", String::from_utf8_lossy(v));
        }
        for (id, v) in values.iter().enumerate() {
            assert_eq!(set.insert(v), id as u32, "{:?}", String::from_utf8_lossy(v));
            assert_eq!(value(&set, id as u32), *v);
        }
        assert_eq!(set.len(), values.len() as u64);
    }

    #[test]
    fn only_rfc_5952_text_packs_as_ipv6() {
        for canonical in [
            "2001:db8::1",
            "::",
            "::1",
            "1::",
            "fe80::1:0:0:1",
            "1:0:0:2::3",
            "2001:db8:0:1:1:1:1:1",
        ] {
            assert!(ipv6(canonical.as_bytes()).is_some(), "{canonical}");
        }
        for other in [
            "2001:db8:0:0:0:0:0:1",
            "2001:0db8::1",
            "2001:DB8::1",
            "2001:db8::1::2",
            "1:2:3:4:5:6:7:8:9",
            "1:0:0:2:0:0:0:3",
            "2001:db8::0:1",
            "2001:db8::1:1:1:1:1:1",
            ":1::",
            "1:",
        ] {
            assert!(ipv6(other.as_bytes()).is_none(), "{other}");
        }
    }

    #[test]
    fn merged_sets_are_the_union() {
        let (mut a, mut b) = (DistinctSet::default(), DistinctSet::default());
        for i in 0..5000u32 {
            a.insert(format!("user-{i}-with-a-rather-long-identifier").as_bytes());
            b.insert(format!("user-{}-with-a-rather-long-identifier", i + 2500).as_bytes());
            a.insert(format!("10.{}.{}.1", i / 256, i % 256).as_bytes());
        }
        for id in 0..b.len() as u32 {
            b.with_value(id, |v| a.insert(v));
        }
        assert_eq!(a.len(), 7500 + 5000);
    }
}
