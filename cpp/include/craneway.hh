// craneway.hh: the C++17 API of Craneway, header-only, over the C API
// (wasm.h and craneway.h). Include this, or the parts in craneway/*.hh.
//
// - Owners are move-only RAII wrappers of the C objects (Engine, Config,
//   Store, Module, Instance, Func, Global, Table, Memory, Trap, the type
//   objects); where the C API has a `copy`, so does the wrapper (`copy()`).
//   The C library keeps a store alive while any of its objects lives, so
//   they may be destroyed in any order.
// - Nothing throws: fallible operations return `Result<T>`, a value or an
//   `Error` (with the trap and its frames, when it is one). The headers
//   compile and work with -fno-exceptions.
// - `func.typed<int32_t(int32_t, int32_t)>(store)` checks a function's
//   type once; calls then go straight to `wasm_func_call_unchecked`.
// - `Func::wrap(store, callable)` makes a host function whose wasm type
//   comes from the callable's C++ signature.
// - `Linker` instantiates modules with imports resolved by name.
//
//   craneway::Engine engine;
//   craneway::Store store(engine);
//   auto module = craneway::Module::from_wat(store, "(module ...)").value();
//   auto instance = craneway::Instance::create(store, module, {}).value();
//   auto add = instance.get_func("add").value()
//                  .typed<int32_t(int32_t, int32_t)>(store).value();
//   int32_t sum = add(2, 40).value();

#ifndef CRANEWAY_HH
#define CRANEWAY_HH

#include "craneway/common.hh"
#include "craneway/store.hh"
#include "craneway/error.hh"
#include "craneway/types.hh"
#include "craneway/value.hh"
#include "craneway/func.hh"
#include "craneway/memory.hh"
#include "craneway/global.hh"
#include "craneway/table.hh"
#include "craneway/extern.hh"
#include "craneway/caller.hh"
#include "craneway/module.hh"
#include "craneway/instance.hh"
#include "craneway/linker.hh"

#endif  // CRANEWAY_HH
