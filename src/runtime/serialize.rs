//! Serialized modules: the module's bytes plus its linked code, so loading
//! parses (cheap) but compiles nothing.
//!
//! Layout (little-endian): magic, format version, Craneway version, engine
//! fingerprint (target, Cranelift flags, CPU features, wasm features, guard
//! size), the wasm bytes, the code image, and a 64-bit checksum of all
//! that. Anything that does not match is refused.

use super::instance::Module;
use super::Error;
use crate::compile::CodeImage;
use crate::engine::Engine;
use crate::vm::code_memory::FrameSaves;
use crate::vm::traps::{CALLEE_SAVED, TRAP_CODES};
use cranelift_codegen::ir::{LibCall, TrapCode};

const MAGIC: &[u8; 8] = b"CRNWYMOD";
// 5: builtins take u64 addresses, lengths and deltas (memory64, table64).
// 6: exception handler tables (exceptions), after the tail callers.
const FORMAT: u32 = 6;

/// FNV-1a, 64-bit: detects corruption, not tampering.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What must be equal for compiled code to run here.
fn fingerprint(engine: &Engine) -> String {
    let isa = engine.isa();
    let isa_flags: Vec<String> = isa.isa_flags().iter().map(|v| v.to_string()).collect();
    let c = engine.config();
    format!(
        "{} | {} | {} | {:?} | guard={} reservation={} {:?}",
        isa.triple(),
        isa.flags(),
        isa_flags.join(","),
        c.features,
        c.guard_size,
        c.memory_reservation,
        c.checks()
    )
}

/// A trap code from its stored byte (`TrapCode::as_raw`), if it is one that
/// compiled code may carry.
fn trap_from_raw(byte: u8) -> Option<TrapCode> {
    let code = TrapCode::from_raw(std::num::NonZeroU8::new(byte)?);
    TRAP_CODES.contains(&code).then_some(code)
}

const LIBCALLS: [LibCall; 11] = [
    LibCall::CeilF32,
    LibCall::CeilF64,
    LibCall::FloorF32,
    LibCall::FloorF64,
    LibCall::TruncF32,
    LibCall::TruncF64,
    LibCall::NearestF32,
    LibCall::NearestF64,
    LibCall::FmaF32,
    LibCall::FmaF64,
    LibCall::X86Pshufb,
];

struct Writer(Vec<u8>);
impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
}

struct Reader<'a>(&'a [u8]);
impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        // No count can exceed the bytes left (each item is at least one byte).
        (n <= self.0.len()).then_some(n)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
}

impl Module {
    /// The module's compiled form, for `Module::deserialize`.
    pub fn serialize(&self) -> Vec<u8> {
        let s = &self.serial;
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT);
        w.bytes(env!("CARGO_PKG_VERSION").as_bytes());
        w.bytes(fingerprint(&self.engine).as_bytes());
        w.bytes(&s.wasm);
        let img = &s.image;
        w.bytes(&img.bytes);
        w.u64(img.funcs.len() as u64);
        for f in &img.funcs {
            w.u32(f.0);
            w.u32(f.1);
            w.u32(f.2);
        }
        w.u64(img.traps.len() as u64);
        for t in &img.traps {
            w.u32(t.0);
            w.u8(t.1.as_raw().get());
        }
        w.u64(img.srclocs.len() as u64);
        for locs in &img.srclocs {
            w.u64(locs.len() as u64);
            for l in locs {
                w.u32(l.0);
                w.u32(l.1);
            }
        }
        w.u64(img.frames.len() as u64);
        for f in &img.frames {
            w.u32(f.frame_at);
            w.u32(f.grown_args);
            w.u64(f.saves.len() as u64);
            for &(reg, from, down) in &f.saves {
                w.u32(u32::from(reg));
                w.u32(from);
                w.u32(down);
            }
        }
        w.u64(img.libcalls.len() as u64);
        for l in &img.libcalls {
            w.u32(l.0);
            w.u32(
                LIBCALLS
                    .iter()
                    .position(|c| *c == l.1)
                    .unwrap_or(u32::MAX as usize) as u32,
            );
            w.u64(l.2 as u64);
        }
        w.u64(img.tail_callers.len() as u64);
        for f in &img.tail_callers {
            w.u32(*f);
        }
        for table in [&img.exn_sites, &img.exn_items] {
            w.u64(table.len() as u64);
            for e in table.iter() {
                w.u32(e.0);
                w.u32(e.1);
                w.u32(e.2);
            }
        }
        w.u64(s.starts.len() as u64);
        for st in &s.starts {
            w.u32(*st);
        }
        let sum = checksum(&w.0);
        w.u64(sum);
        w.0
    }

    /// Loads a module written by `serialize` with an engine of the same
    /// Craneway version, configuration and CPU features, without compiling.
    pub fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let bad = |why: &str| Error::Other(format!("cannot load serialized module: {why}"));
        if bytes.len() < MAGIC.len() + 8 || &bytes[..8] != MAGIC {
            return Err(bad("not a serialized Craneway module"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        if checksum(body) != u64::from_le_bytes(sum.try_into().unwrap_or_default()) {
            return Err(bad("checksum mismatch (truncated or corrupted)"));
        }
        let mut r = Reader(&body[8..]);
        let trunc = || bad("truncated");
        if r.u32().ok_or_else(trunc)? != FORMAT {
            return Err(bad("unknown format version"));
        }
        if r.bytes().ok_or_else(trunc)? != env!("CARGO_PKG_VERSION").as_bytes() {
            return Err(bad("written by another Craneway version"));
        }
        if r.bytes().ok_or_else(trunc)? != fingerprint(engine).as_bytes() {
            return Err(bad("compiled for another CPU or engine configuration"));
        }
        let wasm = r.bytes().ok_or_else(trunc)?;
        let mut image = CodeImage {
            bytes: r.bytes().ok_or_else(trunc)?.to_vec(),
            ..Default::default()
        };
        for _ in 0..r.len().ok_or_else(trunc)? {
            let f = (r.u32(), r.u32(), r.u32());
            image.funcs.push((
                f.0.ok_or_else(trunc)?,
                f.1.ok_or_else(trunc)?,
                f.2.ok_or_else(trunc)?,
            ));
        }
        for _ in 0..r.len().ok_or_else(trunc)? {
            let off = r.u32().ok_or_else(trunc)?;
            let code =
                trap_from_raw(r.u8().ok_or_else(trunc)?).ok_or_else(|| bad("bad trap code"))?;
            image.traps.push((off, code));
        }
        for _ in 0..r.len().ok_or_else(trunc)? {
            let mut locs = Vec::new();
            for _ in 0..r.len().ok_or_else(trunc)? {
                locs.push((r.u32().ok_or_else(trunc)?, r.u32().ok_or_else(trunc)?));
            }
            image.srclocs.push(locs);
        }
        for _ in 0..r.len().ok_or_else(trunc)? {
            let mut frame = FrameSaves {
                frame_at: r.u32().ok_or_else(trunc)?,
                grown_args: r.u32().ok_or_else(trunc)?,
                saves: Vec::new(),
            };
            for _ in 0..r.len().ok_or_else(trunc)? {
                let reg = u8::try_from(r.u32().ok_or_else(trunc)?)
                    .ok()
                    .filter(|r| CALLEE_SAVED.contains(r))
                    .ok_or_else(|| bad("bad register"))?;
                let (from, down) = (r.u32().ok_or_else(trunc)?, r.u32().ok_or_else(trunc)?);
                frame.saves.push((reg, from, down));
            }
            image.frames.push(frame);
        }
        if image.frames.len() != image.funcs.len() || image.srclocs.len() != image.funcs.len() {
            return Err(bad("function tables do not match"));
        }
        for _ in 0..r.len().ok_or_else(trunc)? {
            let site = r.u32().ok_or_else(trunc)?;
            let lc = *LIBCALLS
                .get(r.u32().ok_or_else(trunc)? as usize)
                .ok_or_else(|| bad("bad libcall"))?;
            let addend = r.u64().ok_or_else(trunc)? as i64;
            if site as usize + 8 > image.bytes.len() {
                return Err(bad("relocation outside the code"));
            }
            image.libcalls.push((site, lc, addend));
        }
        for _ in 0..r.len().ok_or_else(trunc)? {
            image.tail_callers.push(r.u32().ok_or_else(trunc)?);
        }
        let mut exn_tables: [Vec<(u32, u32, u32)>; 2] = Default::default();
        for table in exn_tables.iter_mut() {
            for _ in 0..r.len().ok_or_else(trunc)? {
                let e = (r.u32(), r.u32(), r.u32());
                table.push((
                    e.0.ok_or_else(trunc)?,
                    e.1.ok_or_else(trunc)?,
                    e.2.ok_or_else(trunc)?,
                ));
            }
        }
        let [exn_sites, exn_items] = exn_tables;
        // The unwinder trusts these: sites sorted by return address, item
        // ranges in order and inside the items, handlers inside the code.
        let code_len = image.bytes.len() as u64;
        let sites_ok = exn_sites
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].2 <= w[1].2)
            && exn_sites
                .iter()
                .all(|s| u64::from(s.0) <= code_len && s.2 as usize <= exn_items.len());
        if !sites_ok || exn_items.iter().any(|i| u64::from(i.2) >= code_len) {
            return Err(bad("bad exception handler table"));
        }
        image.exn_sites = exn_sites;
        image.exn_items = exn_items;
        let mut starts = Vec::new();
        for _ in 0..r.len().ok_or_else(trunc)? {
            starts.push(r.u32().ok_or_else(trunc)?);
        }
        if !r.0.is_empty() {
            return Err(bad("trailing bytes"));
        }
        let (info, _bodies) = crate::module::parse(wasm, engine).map_err(Error::Invalid)?;
        Module::from_image(engine, info, wasm, image, starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trap_code_round_trips_through_its_byte() {
        for code in TRAP_CODES {
            assert_eq!(trap_from_raw(code.as_raw().get()), Some(code));
        }
    }

    #[test]
    fn zero_and_unknown_trap_code_bytes_are_refused() {
        assert_eq!(trap_from_raw(0), None);
        let known: Vec<u8> = TRAP_CODES.iter().map(|c| c.as_raw().get()).collect();
        for byte in (1..=u8::MAX).filter(|b| !known.contains(b)) {
            assert_eq!(trap_from_raw(byte), None, "byte {byte}");
        }
    }
}
