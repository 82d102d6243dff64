// Consumer test (C++): the C API through the C++ compiler, plus the C++
// layer's header.
#include <craneway.hh>

#include <cstdio>
#include <cstring>

int main() {
  const char* wat =
      "(module (func (export \"add\") (param i32 i32) (result i32)"
      " local.get 0 local.get 1 i32.add))";
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  int status = 1;
  if (craneway_wat2wasm(wat, std::strlen(wat), &binary)) {
    if (wasm_module_t* module = wasm_module_new(store, &binary)) {
      wasm_extern_vec_t imports = WASM_EMPTY_VEC;
      if (wasm_instance_t* instance = wasm_instance_new(store, module, &imports, nullptr)) {
        wasm_extern_vec_t exports;
        wasm_instance_exports(instance, &exports);
        wasm_val_raw_t slots[2];
        slots[0].i32 = 40;
        slots[1].i32 = 2;
        wasm_trap_t* trap =
            wasm_func_call_unchecked(wasm_extern_as_func(exports.data[0]), slots, 2);
        if (!trap) {
          std::printf("result: %d\n", slots[0].i32);
          status = 0;
        } else {
          wasm_trap_delete(trap);
        }
        wasm_extern_vec_delete(&exports);
        wasm_instance_delete(instance);
      }
      wasm_module_delete(module);
    }
  }
  wasm_byte_vec_delete(&binary);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return status;
}
