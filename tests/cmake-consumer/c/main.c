/* Consumer test: compile a module from text, call it, print the result. */
#include <craneway.h>
#include <stdio.h>
#include <string.h>
#include <wasm.h>

int main(void) {
  const char *wat = "(module (func (export \"add\") (param i32 i32) (result i32)"
                    " local.get 0 local.get 1 i32.add))";
  int status = 1;
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  if (!craneway_wat2wasm(wat, strlen(wat), &binary)) {
    printf("wat2wasm failed: %s\n", binary.data);
    goto out_binary;
  }
  wasm_module_t *module = wasm_module_new(store, &binary);
  if (!module) goto out_binary;
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) goto out_module;
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_t args[2] = {WASM_I32_VAL(40), WASM_I32_VAL(2)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t results_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &args_vec, &results_vec);
  if (!trap) {
    printf("result: %d\n", results[0].of.i32);
    status = 0;
  } else {
    wasm_trap_delete(trap);
  }
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
out_module:
  wasm_module_delete(module);
out_binary:
  wasm_byte_vec_delete(&binary);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return status;
}
