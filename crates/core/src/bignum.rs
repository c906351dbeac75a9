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

use aws_lc_sys as ffi;
use std::ptr::NonNull;

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
}
