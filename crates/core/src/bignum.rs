//! Arithmetic modulo a fixed odd modulus on AWS-LC's bignums, for SRP.
//!
//! AWS-LC's `BN_mod_exp_mont_consttime` is about twice as fast as a portable constant-time
//! exponentiation on a 3072-bit modulus, and SRP spends nearly all its time there. This module
//! is the only place that touches the raw bignum API: every `BIGNUM` is owned by a [`Bn`]
//! (cleared and freed on drop), the Montgomery context by its [`Modulus`], and every call's
//! result is checked, so the rest of the crate stays safe code.
//!
//! Timing: exponentiation, multiplication, addition and subtraction run in constant time for a
//! given operand width (`Bn::from_be` keeps the byte length as the width, so a 32-byte exponent
//! with leading zeros costs what any other does). Only [`Modulus::reduce`] is variable-time; it
//! is for public inputs (a client's `A`) and for values already below the modulus.
//!
//! [`FixedBase`] raises one base (SRP's g) to secret exponents several times faster than
//! [`Modulus::pow`]: a table of the base's powers replaces every squaring, and each table row
//! is read whole, so which entry an exponent picks shows neither in time nor in memory access.

use aws_lc_sys as ffi;
use std::ptr::NonNull;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Panics on an AWS-LC failure: with valid, reduced operands these calls fail only when
/// memory runs out.
fn check(ok: std::os::raw::c_int, what: &str) {
    assert!(ok == 1, "AWS-LC {what} failed");
}

/// An owned AWS-LC `BIGNUM`.
pub struct Bn(NonNull<ffi::BIGNUM>);

// SAFETY: a `Bn` is the only owner of its `BIGNUM`; AWS-LC bignums carry no thread affinity.
unsafe impl Send for Bn {}
// SAFETY: shared references only ever reach AWS-LC as `*const BIGNUM`, which it does not mutate.
unsafe impl Sync for Bn {}

impl Bn {
    fn new() -> Self {
        // SAFETY: BN_new has no preconditions; a null result (out of memory) is caught here.
        Self(NonNull::new(unsafe { ffi::BN_new() }).expect("AWS-LC BN_new: out of memory"))
    }

    /// The non-negative integer with these big-endian bytes; its width follows `bytes.len()`,
    /// not the value, so exponents of one length take one time.
    pub fn from_be(bytes: &[u8]) -> Self {
        let bn = Self::new();
        // SAFETY: `bytes` is valid for `len` bytes; `bn` is a live BIGNUM that BN_bin2bn fills.
        let out = unsafe { ffi::BN_bin2bn(bytes.as_ptr(), bytes.len(), bn.0.as_ptr()) };
        assert!(!out.is_null(), "AWS-LC BN_bin2bn failed");
        bn
    }

    /// The value as exactly `len` big-endian bytes; `None` when it does not fit.
    pub fn to_be(&self, len: usize) -> Option<Vec<u8>> {
        let mut out = vec![0u8; len];
        // SAFETY: `out` is valid for `len` writable bytes; `self` is a live BIGNUM.
        let ok = unsafe { ffi::BN_bn2bin_padded(out.as_mut_ptr(), len, self.0.as_ptr()) };
        (ok == 1).then_some(out)
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        // SAFETY: `self` is a live BIGNUM.
        unsafe { ffi::BN_is_zero(self.0.as_ptr()) == 1 }
    }

    fn ptr(&self) -> *const ffi::BIGNUM {
        self.0.as_ptr()
    }

    fn mut_ptr(&mut self) -> *mut ffi::BIGNUM {
        self.0.as_ptr()
    }
}

impl Drop for Bn {
    fn drop(&mut self) {
        // SAFETY: `self` owns the BIGNUM and it is freed once, here; clearing first keeps
        // secret exponents out of freed memory.
        unsafe { ffi::BN_clear_free(self.0.as_ptr()) }
    }
}

/// A `BN_CTX` (scratch space) for one operation.
struct Ctx(NonNull<ffi::BN_CTX>);

impl Ctx {
    fn new() -> Self {
        // SAFETY: BN_CTX_new has no preconditions; null (out of memory) is caught here.
        Self(NonNull::new(unsafe { ffi::BN_CTX_new() }).expect("AWS-LC BN_CTX_new: out of memory"))
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: the context is owned here and freed once.
        unsafe { ffi::BN_CTX_free(self.0.as_ptr()) }
    }
}

/// An odd modulus with its Montgomery context, built once and shared by all threads.
/// Operands given to its methods must be below the modulus, as [`Modulus::reduce`] and every
/// method here return them.
pub struct Modulus {
    n: Bn,
    mont: NonNull<ffi::BN_MONT_CTX>,
}

// SAFETY: after construction the Montgomery context is only read (AWS-LC takes it as
// `const BN_MONT_CTX *` in every call used here), so sharing it between threads is sound.
unsafe impl Send for Modulus {}
// SAFETY: as above.
unsafe impl Sync for Modulus {}

impl Modulus {
    /// The modulus with these big-endian bytes; panics unless it is odd and greater than one.
    pub fn new(n_be: &[u8]) -> Self {
        let n = Bn::from_be(n_be);
        let ctx = Ctx::new();
        // SAFETY: `n` and `ctx` are live; the result is owned by the returned Modulus.
        let mont = unsafe { ffi::BN_MONT_CTX_new_consttime(n.ptr(), ctx.0.as_ptr()) };
        let mont = NonNull::new(mont).expect("AWS-LC BN_MONT_CTX_new_consttime failed");
        Self { n, mont }
    }

    /// `value mod n`, in variable time: for public values.
    pub fn reduce(&self, value: &[u8]) -> Bn {
        let a = Bn::from_be(value);
        let mut r = Bn::new();
        let ctx = Ctx::new();
        // SAFETY: all pointers are live BIGNUMs / BN_CTX owned by this frame or `self`.
        check(
            unsafe { ffi::BN_nnmod(r.mut_ptr(), a.ptr(), self.n.ptr(), ctx.0.as_ptr()) },
            "BN_nnmod",
        );
        r
    }

    /// `base^exp mod n` in constant time (`base` below n).
    pub fn pow(&self, base: &Bn, exp: &Bn) -> Bn {
        let mut r = Bn::new();
        let ctx = Ctx::new();
        // SAFETY: live BIGNUMs, a live BN_CTX, and the Montgomery context made for `self.n`.
        check(
            unsafe {
                ffi::BN_mod_exp_mont_consttime(
                    r.mut_ptr(),
                    base.ptr(),
                    exp.ptr(),
                    self.n.ptr(),
                    ctx.0.as_ptr(),
                    self.mont.as_ptr(),
                )
            },
            "BN_mod_exp_mont_consttime",
        );
        r
    }

    /// `a·b mod n` (both below n): `a` into Montgomery form, then one Montgomery product,
    /// which divides the factor R back out.
    pub fn mul(&self, a: &Bn, b: &Bn) -> Bn {
        let mut a_mont = Bn::new();
        let mut r = Bn::new();
        let ctx = Ctx::new();
        // SAFETY: live BIGNUMs, a live BN_CTX, and the Montgomery context made for `self.n`.
        unsafe {
            check(
                ffi::BN_to_montgomery(
                    a_mont.mut_ptr(),
                    a.ptr(),
                    self.mont.as_ptr(),
                    ctx.0.as_ptr(),
                ),
                "BN_to_montgomery",
            );
            check(
                ffi::BN_mod_mul_montgomery(
                    r.mut_ptr(),
                    a_mont.ptr(),
                    b.ptr(),
                    self.mont.as_ptr(),
                    ctx.0.as_ptr(),
                ),
                "BN_mod_mul_montgomery",
            );
        }
        r
    }

    /// `a + b mod n` (both below n).
    pub fn add(&self, a: &Bn, b: &Bn) -> Bn {
        let mut r = Bn::new();
        // SAFETY: live BIGNUMs.
        check(
            unsafe { ffi::BN_mod_add_quick(r.mut_ptr(), a.ptr(), b.ptr(), self.n.ptr()) },
            "BN_mod_add_quick",
        );
        r
    }

    /// `a - b mod n` (both below n).
    pub fn sub(&self, a: &Bn, b: &Bn) -> Bn {
        let mut r = Bn::new();
        // SAFETY: live BIGNUMs.
        check(
            unsafe { ffi::BN_mod_sub_quick(r.mut_ptr(), a.ptr(), b.ptr(), self.n.ptr()) },
            "BN_mod_sub_quick",
        );
        r
    }
}

impl Modulus {
    /// The modulus's width in 64-bit words: the width of every Montgomery-form value.
    fn words(&self) -> usize {
        // SAFETY: `self.n` is a live BIGNUM.
        let bytes = unsafe { ffi::BN_num_bytes(self.n.ptr()) } as usize;
        bytes.div_ceil(8)
    }

    /// A value (below n) from its little-endian words, `words()` of them, written into `out`
    /// with exactly that width, so Montgomery products take AWS-LC's fixed-width path.
    fn load(&self, words: &[u64], out: &mut Bn) {
        let mut le = [0u8; MAX_BYTES];
        let le = &mut le[..words.len() * 8];
        for (chunk, w) in le.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        // SAFETY: `le` is valid for its length; `out` is a live BIGNUM that BN_le2bn refills.
        let r = unsafe { ffi::BN_le2bn(le.as_ptr(), le.len(), out.mut_ptr()) };
        le.zeroize();
        assert!(!r.is_null(), "AWS-LC BN_le2bn failed");
    }

    /// The little-endian words of a value below n, `words()` of them.
    fn store(&self, value: &Bn) -> Vec<u64> {
        let words = self.words();
        let mut le = vec![0u8; words * 8];
        // SAFETY: `le` is valid for its length; `value` is a live BIGNUM.
        check(
            unsafe { ffi::BN_bn2le_padded(le.as_mut_ptr(), le.len(), value.ptr()) },
            "BN_bn2le_padded",
        );
        let out = le
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        le.zeroize();
        out
    }

    /// `a` into Montgomery form (`a·R mod n`).
    fn to_montgomery(&self, a: &Bn) -> Bn {
        let mut r = Bn::new();
        let ctx = Ctx::new();
        // SAFETY: live BIGNUMs, a live BN_CTX, and the Montgomery context made for `self.n`.
        check(
            unsafe {
                ffi::BN_to_montgomery(r.mut_ptr(), a.ptr(), self.mont.as_ptr(), ctx.0.as_ptr())
            },
            "BN_to_montgomery",
        );
        r
    }

    /// `acc = acc·b·R⁻¹ mod n`: one Montgomery product, in place.
    fn mont_mul_assign(&self, acc: &mut Bn, b: &Bn, ctx: &Ctx) {
        let acc = acc.mut_ptr();
        // SAFETY: live BIGNUMs and BN_CTX; AWS-LC's Montgomery product allows `r` to alias `a`.
        check(
            unsafe {
                ffi::BN_mod_mul_montgomery(acc, acc, b.ptr(), self.mont.as_ptr(), ctx.0.as_ptr())
            },
            "BN_mod_mul_montgomery",
        );
    }
}

/// The widest modulus [`FixedBase`] takes, in bytes (SRP's is 384).
const MAX_BYTES: usize = 512;

/// Bits of the exponent per table row.
const WINDOW: usize = 4;
const ROW: usize = 1 << WINDOW;

/// `base^e mod n` for one fixed base and secret exponents of up to `exp_bytes` bytes.
///
/// Row `i` of the table holds `base^(d·16^i)` for `d` in 0..16, in Montgomery form; `base^e`
/// is then the product of one entry per row, chosen by the exponent's `i`-th hexadecimal digit:
/// `2·exp_bytes` Montgomery products and no squaring, against about `8·exp_bytes` squarings
/// and products for [`Modulus::pow`]. Every exponent, whatever its value, takes the same
/// products, and each entry is picked by reading its whole row with a constant-time mask.
pub struct FixedBase {
    /// Rows of `ROW` entries of `words` little-endian words each.
    table: Vec<u64>,
    words: usize,
    exp_bytes: usize,
    /// 1 as a plain number of full width: a Montgomery product by it leaves Montgomery form.
    one: Vec<u64>,
}

impl FixedBase {
    /// The table for `base` (below n) and exponents of at most `exp_bytes` bytes: `2·exp_bytes`
    /// rows of 16 entries (393 KB for a 3072-bit n and 32-byte exponents).
    pub fn new(n: &Modulus, base: &Bn, exp_bytes: usize) -> Self {
        let words = n.words();
        assert!(
            words * 8 <= MAX_BYTES,
            "the modulus is wider than FixedBase takes"
        );
        let rows = exp_bytes * 8 / WINDOW;
        let ctx = Ctx::new();
        let one_mont = n.store(&n.to_montgomery(&n.reduce(&[1])));
        let mut step = Bn::new();
        n.load(&n.store(&n.to_montgomery(base)), &mut step);
        let mut table = Vec::with_capacity(rows * ROW * words);
        for _ in 0..rows {
            // entries base^(d·16^i), d = 0..16, with `step` = base^(16^i)
            let mut entry = Bn::new();
            n.load(&one_mont, &mut entry);
            table.extend_from_slice(&one_mont);
            for _ in 1..ROW {
                n.mont_mul_assign(&mut entry, &step, &ctx);
                table.extend(n.store(&entry));
            }
            // step^16 = entry 15 · step
            n.mont_mul_assign(&mut entry, &step, &ctx);
            step = entry;
        }
        let mut one = vec![0u64; words];
        one[0] = 1;
        Self {
            table,
            words,
            exp_bytes,
            one,
        }
    }

    /// `base^exp mod n` in constant time for `exp` of at most `exp_bytes` big-endian bytes
    /// (any length up to that takes the same time).
    pub fn pow(&self, n: &Modulus, exp: &[u8]) -> Bn {
        assert!(
            exp.len() <= self.exp_bytes,
            "exponent longer than the table"
        );
        assert_eq!(n.words(), self.words, "a table is for its own modulus");
        let mut padded = vec![0u8; self.exp_bytes];
        padded[self.exp_bytes - exp.len()..].copy_from_slice(exp);
        let ctx = Ctx::new();
        let mut selected = vec![0u64; self.words];
        let mut acc = Bn::new();
        let mut factor = Bn::new();
        for (i, row) in self.table.chunks_exact(ROW * self.words).enumerate() {
            let byte = padded[self.exp_bytes - 1 - i / 2];
            let digit = (byte >> (WINDOW * (i % 2))) & (ROW as u8 - 1);
            select(row, self.words, digit, &mut selected);
            if i == 0 {
                n.load(&selected, &mut acc);
            } else {
                n.load(&selected, &mut factor);
                n.mont_mul_assign(&mut acc, &factor, &ctx);
            }
        }
        n.load(&self.one, &mut factor);
        n.mont_mul_assign(&mut acc, &factor, &ctx);
        selected.zeroize();
        padded.zeroize();
        acc
    }
}

/// Entry `digit` of `row` into `out`, reading every entry and keeping one by a mask.
fn select(row: &[u64], words: usize, digit: u8, out: &mut [u64]) {
    out.fill(0);
    for (d, entry) in row.chunks_exact(words).enumerate() {
        let mask = u64::from((d as u8).ct_eq(&digit).unwrap_u8()).wrapping_neg();
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & mask;
        }
    }
}

impl Drop for Modulus {
    fn drop(&mut self) {
        // SAFETY: the context is owned here and freed once (`n` frees itself).
        unsafe { ffi::BN_MONT_CTX_free(self.mont.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_numbers_come_out_right() {
        let m = Modulus::new(&[0x01, 0x01]); // 257
        let three = m.reduce(&[3]);
        let five = m.reduce(&[5]);
        assert_eq!(
            m.pow(&three, &Bn::from_be(&[0, 4])).to_be(2),
            Some(vec![0, 81])
        );
        assert_eq!(m.mul(&three, &five).to_be(1), Some(vec![15]));
        assert_eq!(m.add(&m.reduce(&[0xff]), &five).to_be(1), Some(vec![3]));
        assert_eq!(m.sub(&three, &five).to_be(2), Some(vec![0x00, 0xff]));
        assert_eq!(m.reduce(&[0x01, 0x02]).to_be(1), Some(vec![1]));
        assert!(m.reduce(&[0x01, 0x01]).is_zero());
        assert_eq!(Bn::from_be(&[1, 0]).to_be(1), None);
    }

    #[test]
    fn a_fixed_base_power_is_the_power() {
        // a 3072-bit odd modulus of no special form, and SRP's too (in crate::srp's tests)
        let n_be: Vec<u8> = (0..384u32).map(|i| (i * 97 + 13) as u8 | 1).collect();
        let m = Modulus::new(&n_be);
        let base = m.reduce(&[0x5a; 100]);
        let fixed = FixedBase::new(&m, &base, 32);
        let mut exps: Vec<Vec<u8>> = vec![vec![], vec![0; 32], vec![0xff; 32], vec![1], vec![0x80]];
        exps.extend((0..20u8).map(|k| {
            (0..32u8)
                .map(|i| i.wrapping_mul(31) ^ k.wrapping_mul(59))
                .collect()
        }));
        exps.extend((1..32).map(|len| vec![0xa7; len]));
        for e in &exps {
            let wide: Vec<u8> = std::iter::repeat_n(0, 32 - e.len())
                .chain(e.iter().copied())
                .collect();
            assert_eq!(
                fixed.pow(&m, e).to_be(384),
                m.pow(&base, &Bn::from_be(&wide)).to_be(384),
                "exponent {e:02x?}"
            );
        }
    }

    #[test]
    fn a_fixed_base_takes_small_moduli_too() {
        let m = Modulus::new(&[0x01, 0x01]); // 257
        let fixed = FixedBase::new(&m, &m.reduce(&[3]), 2);
        let mut want = 1u32;
        for e in 0..=u16::MAX {
            if e % 997 == 0 || e < 300 {
                let got = fixed.pow(&m, &e.to_be_bytes()).to_be(2);
                assert_eq!(got, Some((want as u16).to_be_bytes().to_vec()), "3^{e}");
            }
            want = want * 3 % 257;
        }
    }
}
