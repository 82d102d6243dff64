# Shared helpers for the scripts in this folder (sourced, not run).

# Makes `cmake` available: the system's, or one installed from PyPI.
ensure_cmake() {
  if command -v cmake >/dev/null 2>&1; then return; fi
  export PATH="$HOME/.local/bin:$PATH"
  if command -v cmake >/dev/null 2>&1; then return; fi
  echo "cmake not found; installing it from PyPI (python3 -m pip install --user cmake)"
  python3 -m pip install --quiet --user cmake
  command -v cmake >/dev/null 2>&1 || { echo "error: could not install cmake" >&2; exit 1; }
}

# Makes valgrind available (Debian's package), if we may install it.
ensure_valgrind() {
  if command -v valgrind >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "valgrind not found; installing it with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  fi
  command -v valgrind >/dev/null 2>&1
}
