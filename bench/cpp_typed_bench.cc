// cpp_typed_bench.cc: what the C++ API's safety costs per call, measured
// against the raw C fast path it is built on.
//
// Rows (nanoseconds per call, median over runs of N calls, timed with
// clock_gettime(CLOCK_MONOTONIC); N is calibrated so a run takes about
// --ms milliseconds; the rows are run round-robin so drift hits all alike):
//   typed      C++ TypedFunc<int32_t(int32_t, int32_t)> call of a wasm add,
//              in a C++ loop with a dependent result
//   raw        the same loop over the C wasm_func_call_unchecked
//   lambda     a wasm loop calling an imported host add made by Func::wrap
//              from a C++ lambda, minus the empty loop
//   callback   the same wasm loop calling an imported raw C callback made by
//              wasm_func_new_unchecked, minus the empty loop
//   loop       the empty loop (the add inline in wasm), per iteration
// and the ratios typed/raw and lambda/callback (target: <= 1.10). Every row
// checks its result against the same computation in C++ (exit 1 if wrong).
//
// Build and run (from the repository root, after cargo build --release):
//   g++ -std=c++17 -O2 -Iinclude -Icpp/include bench/cpp_typed_bench.cc
//       -o target/cpp_typed_bench -Ltarget/release -lcraneway
//       -Wl,-rpath,$PWD/target/release
//   target/cpp_typed_bench [--runs R] [--ms T] [--repeat K]

#include <craneway.hh>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

using namespace craneway;

const char* kWat = R"((module
  (import "host" "lambda_add" (func $lambda_add (param i32 i32) (result i32)))
  (import "host" "raw_add" (func $raw_add (param i32 i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "loop_lambda") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $acc local.get $i call $lambda_add local.set $acc
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $acc)
  (func (export "loop_raw") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $acc local.get $i call $raw_add local.set $acc
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $acc)
  (func (export "loop_base") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done (loop $next
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $acc local.get $i i32.add local.set $acc
      local.get $i i32.const 1 i32.add local.set $i
      br $next))
    local.get $acc)
))";

[[noreturn]] void die(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "cpp_typed_bench: %s%s%s\n", what, detail.empty() ? "" : ": ",
               detail.c_str());
  std::exit(1);
}

double now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// The expected result of n dependent adds acc = acc + i (wrapping).
int32_t expected_sum(uint32_t n) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; ++i) acc += i;
  return static_cast<int32_t>(acc);
}

// The raw C host callback: the same work as the lambda.
wasm_trap_t* raw_add(void*, wasm_val_raw_t* slots, size_t) {
  slots[0].i32 = static_cast<int32_t>(static_cast<uint32_t>(slots[0].i32) +
                                      static_cast<uint32_t>(slots[1].i32));
  return nullptr;
}

struct Bench {
  Engine engine;
  Store store{engine};
  Module module;
  Func lambda_add;
  Func raw_add_func;
  Instance instance;
  std::optional<TypedFunc<int32_t(int32_t, int32_t)>> add;
  Func add_func;  // for the raw C calls
  std::optional<TypedFunc<int32_t(int32_t)>> loop_lambda, loop_raw, loop_base;

  Bench() {
    Result<Module> m = Module::from_wat(store, kWat);
    if (!m) die("compile", m.error().message());
    module = std::move(*m);
    lambda_add = Func::wrap(store, [](int32_t a, int32_t b) {
      return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
    });
    FuncType ty = func_type<int32_t(int32_t, int32_t)>();
    raw_add_func = Func(wasm_func_new_unchecked(store.raw(), ty.raw(), raw_add, nullptr, nullptr));
    Result<Instance> inst = Instance::create(store, module, {lambda_add, raw_add_func});
    if (!inst) die("instantiate", inst.error().message());
    instance = std::move(*inst);
    add_func = instance.get_func("add").value();
    add.emplace(add_func.typed<int32_t(int32_t, int32_t)>(store).value());
    loop_lambda.emplace(instance.get_func("loop_lambda").value().typed<int32_t(int32_t)>(store).value());
    loop_raw.emplace(instance.get_func("loop_raw").value().typed<int32_t(int32_t)>(store).value());
    loop_base.emplace(instance.get_func("loop_base").value().typed<int32_t(int32_t)>(store).value());
  }
};

// One timed run of each kind: n calls; returns total nanoseconds.
__attribute__((noinline)) double run_typed(const TypedFunc<int32_t(int32_t, int32_t)>& add,
                                           uint32_t n) {
  double t0 = now_ns();
  int32_t acc = 0;
  for (uint32_t i = 0; i < n; ++i) {
    Result<int32_t> r = add(acc, static_cast<int32_t>(i));
    if (CRANEWAY_CPP_UNLIKELY(!r)) die("typed call trapped", r.error().message());
    acc = *r;
  }
  double t1 = now_ns();
  if (acc != expected_sum(n)) die("typed: wrong result");
  return t1 - t0;
}

__attribute__((noinline)) double run_raw(const wasm_func_t* add, uint32_t n) {
  double t0 = now_ns();
  int32_t acc = 0;
  for (uint32_t i = 0; i < n; ++i) {
    wasm_val_raw_t slots[2];
    slots[0].i32 = acc;
    slots[1].i32 = static_cast<int32_t>(i);
    wasm_trap_t* trap = wasm_func_call_unchecked(add, slots, 2);
    if (CRANEWAY_CPP_UNLIKELY(trap != nullptr)) die("raw call trapped", Trap(trap).message());
    acc = slots[0].i32;
  }
  double t1 = now_ns();
  if (acc != expected_sum(n)) die("raw: wrong result");
  return t1 - t0;
}

__attribute__((noinline)) double run_loop(const TypedFunc<int32_t(int32_t)>& loop, uint32_t n,
                                          const char* what) {
  double t0 = now_ns();
  Result<int32_t> r = loop(static_cast<int32_t>(n));
  double t1 = now_ns();
  if (!r) die(what, r.error().message());
  if (*r != expected_sum(n)) die(what, "wrong result");
  return t1 - t0;
}

enum Row { TYPED, RAW, LAMBDA, CALLBACK, LOOP, NROWS };
const char* const kRowNames[NROWS] = {"typed", "raw", "lambda", "callback", "loop"};
const char* const kRowLabels[NROWS] = {
    "C++ TypedFunc call of wasm add(i32, i32) -> i32",
    "C wasm_func_call_unchecked of the same add",
    "wasm loop -> Func::wrap lambda add (minus loop)",
    "wasm loop -> wasm_func_new_unchecked C add (minus loop)",
    "wasm loop, add inline (per iteration)"};

double run_row(Bench& b, int row, uint32_t n) {
  switch (row) {
    case TYPED: return run_typed(*b.add, n);
    case RAW: return run_raw(b.add_func.raw(), n);
    case LAMBDA: return run_loop(*b.loop_lambda, n, "loop_lambda");
    case CALLBACK: return run_loop(*b.loop_raw, n, "loop_raw");
    default: return run_loop(*b.loop_base, n, "loop_base");
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 21;
  double ms = 40;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--ms") && i + 1 < argc) {
      ms = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: cpp_typed_bench [--runs R] [--ms T] [--repeat K]\n");
      return 2;
    }
  }
  if (runs < 1 || ms <= 0 || repeat < 1) die("bad arguments");

  Bench b;
  // Calibrate N per row: about `ms` milliseconds per run.
  uint32_t n[NROWS];
  for (int row = 0; row < NROWS; ++row) {
    uint32_t k = 1000;
    for (;;) {
      double t = run_row(b, row, k);
      if (t >= ms * 1e6 / 4 || k >= (1u << 30)) {
        double per = t / k;
        double want = ms * 1e6 / per;
        n[row] = static_cast<uint32_t>(std::min(want, 2e9));
        break;
      }
      k *= 4;
    }
  }

  std::vector<double> typed_ratio, lambda_ratio;
  for (int rep = 1; rep <= repeat; ++rep) {
    std::vector<double> per[NROWS];
    for (int r = 0; r < runs; ++r) {
      for (int row = 0; row < NROWS; ++row) per[row].push_back(run_row(b, row, n[row]) / n[row]);
    }
    double med[NROWS];
    for (int row = 0; row < NROWS; ++row) med[row] = median(per[row]);
    double lambda = med[LAMBDA] - med[LOOP];
    double callback = med[CALLBACK] - med[LOOP];
    std::printf("repeat %d (%d runs of about %.0f ms per row; medians, ns per call)\n", rep, runs, ms);
    for (int row = 0; row < NROWS; ++row) {
      double shown = (row == LAMBDA) ? lambda : (row == CALLBACK) ? callback : med[row];
      std::printf("  %-9s %7.2f ns  %s\n", kRowNames[row], shown, kRowLabels[row]);
    }
    std::printf("  typed/raw        = %.3f\n", med[TYPED] / med[RAW]);
    std::printf("  lambda/callback  = %.3f\n", lambda / callback);
    typed_ratio.push_back(med[TYPED] / med[RAW]);
    lambda_ratio.push_back(lambda / callback);
  }
  std::printf("median over %d repeats: typed/raw %.3f, lambda/callback %.3f (target <= 1.10)\n",
              repeat, median(typed_ratio), median(lambda_ratio));
  return 0;
}
