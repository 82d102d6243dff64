//! A store's resource limits: a bound on each memory's bytes and each
//! table's elements, and the embedder's limiter, asked before any memory or
//! table is created or grows (`runtime::Store::limiter`).

/// What is growing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Memory,
    Table,
}

/// The embedder's limiter: `(what, current, desired, maximum)` in bytes for
/// memories and elements for tables (`current` is 0 at creation; `maximum`
/// is the object's own, if it has one); true allows the growth.
pub type Limiter = Box<dyn FnMut(Resource, u64, u64, Option<u64>) -> bool + Send>;

/// The limits the VM checks (counts of instances, memories and tables are
/// the runtime's).
pub struct Limits {
    /// Bytes a linear memory may have; `u64::MAX` for no limit.
    pub memory_size: u64,
    /// Elements a table may have; `u64::MAX` for no limit.
    pub table_elements: u64,
    pub limiter: Option<Limiter>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_size: u64::MAX,
            table_elements: u64::MAX,
            limiter: None,
        }
    }
}

impl Limits {
    /// Whether `what` may grow from `current` to `desired`: within the
    /// bound, and the limiter agrees. A panicking limiter refuses (it must
    /// not unwind through compiled code).
    pub fn allow(
        &mut self,
        what: Resource,
        current: u64,
        desired: u64,
        maximum: Option<u64>,
    ) -> bool {
        let bound = match what {
            Resource::Memory => self.memory_size,
            Resource::Table => self.table_elements,
        };
        if desired > bound {
            return false;
        }
        match self.limiter.as_mut() {
            None => true,
            Some(limiter) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                limiter(what, current, desired, maximum)
            }))
            .unwrap_or(false),
        }
    }
}
