// check.hh: a tiny test harness for the C++ tests, with no exceptions.
//
// TEST(name) { ... } defines a test; CHECK(cond), CHECK_EQ(a, b),
// CHECK_OK(result) and CHECK_ERR(result, "substring") fail the current
// test (printing where and why) and return from it; run_all_tests() runs
// every test in order, prints a line per test and a summary, and returns
// the exit status.

#ifndef CRANEWAY_TESTS_CPP_CHECK_HH
#define CRANEWAY_TESTS_CPP_CHECK_HH

#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace check {

struct TestCase {
  const char* name;
  void (*fn)();
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

inline int& failures_in_current() {
  static int n = 0;
  return n;
}

struct Register {
  Register(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    return std::to_string(static_cast<long long>(v));
  } else if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t>) {
    return std::to_string(static_cast<int>(v));
  } else if constexpr (std::is_arithmetic_v<T> || std::is_convertible_v<const T&, std::string>) {
    std::ostringstream s;
    s << v;
    return s.str();
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else {
    return "<value>";
  }
}

inline void fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what.c_str());
  ++failures_in_current();
}

inline int run_all_tests() {
  int passed = 0, failed = 0;
  for (const TestCase& t : registry()) {
    failures_in_current() = 0;
    t.fn();
    if (failures_in_current() == 0) {
      std::printf("ok   %s\n", t.name);
      ++passed;
    } else {
      std::printf("FAIL %s\n", t.name);
      ++failed;
    }
  }
  std::printf("%d tests passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace check

#define TEST(name)                                                \
  static void test_##name();                                      \
  static ::check::Register register_##name(#name, &test_##name);  \
  static void test_##name()

#define CHECK(cond)                                     \
  do {                                                  \
    if (!(cond)) {                                      \
      ::check::fail(__FILE__, __LINE__, #cond);         \
      return;                                           \
    }                                                   \
  } while (0)

#define CHECK_EQ(a, b)                                                                     \
  do {                                                                                     \
    const auto check_a_ = (a);                                                             \
    const auto check_b_ = (b);                                                             \
    if (!(check_a_ == check_b_)) {                                                         \
      ::check::fail(__FILE__, __LINE__,                                                    \
                    std::string(#a " == " #b ": ") + ::check::show(check_a_) + " vs " +    \
                        ::check::show(check_b_));                                          \
      return;                                                                              \
    }                                                                                      \
  } while (0)

// The result must be a success; otherwise its error message is printed.
#define CHECK_OK(result)                                                              \
  do {                                                                                \
    const auto& check_r_ = (result);                                                  \
    if (!check_r_.ok()) {                                                             \
      ::check::fail(__FILE__, __LINE__,                                               \
                    std::string(#result " failed: ") + check_r_.error().message());   \
      return;                                                                         \
    }                                                                                 \
  } while (0)

// The result must be an error whose message contains `substring`.
#define CHECK_ERR(result, substring)                                                          \
  do {                                                                                        \
    const auto& check_r_ = (result);                                                          \
    if (check_r_.ok()) {                                                                      \
      ::check::fail(__FILE__, __LINE__, std::string(#result " succeeded, expected an error")); \
      return;                                                                                 \
    }                                                                                         \
    if (check_r_.error().message().find(substring) == std::string::npos) {                   \
      ::check::fail(__FILE__, __LINE__,                                                       \
                    std::string(#result ": error \"") + check_r_.error().message() +          \
                        "\" does not contain \"" + (substring) + "\"");                       \
      return;                                                                                 \
    }                                                                                         \
  } while (0)

#endif  // CRANEWAY_TESTS_CPP_CHECK_HH
