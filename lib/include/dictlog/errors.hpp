// dictlog's exception types, named after the Python exceptions they stand for.
//
// Code that mirrors a Python API throws the exception Python would raise there, with
// Python's message, so a message seen in one language is recognised in the other:
//
//   try { dictlog::Formatter f("hello"); }
//   catch (const dictlog::ValueError& e) { /* "Invalid format 'hello' for '%' style" */ }
#pragma once

#include <stdexcept>
#include <string>

namespace dictlog {

// Base of every exception dictlog throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // The Python exception class name ("ValueError"), used when an error is reported the
  // way Python reports it ("ValueError: Unknown level: 'x'").
  virtual const char* python_type() const noexcept { return "Exception"; }
};

#define DICTLOG_DECLARE_ERROR(Name)                                     \
  class Name : public Error {                                           \
   public:                                                              \
    using Error::Error;                                                 \
    const char* python_type() const noexcept override { return #Name; } \
  }

DICTLOG_DECLARE_ERROR(ValueError);
DICTLOG_DECLARE_ERROR(TypeError);
DICTLOG_DECLARE_ERROR(KeyError);
DICTLOG_DECLARE_ERROR(IndexError);
DICTLOG_DECLARE_ERROR(RuntimeError);
DICTLOG_DECLARE_ERROR(OSError);
DICTLOG_DECLARE_ERROR(AttributeError);
DICTLOG_DECLARE_ERROR(OverflowError);
DICTLOG_DECLARE_ERROR(LookupError);
DICTLOG_DECLARE_ERROR(UnicodeEncodeError);

#undef DICTLOG_DECLARE_ERROR

// OSError's subclasses that network handlers report, named as Python names them.
class ConnectionRefusedError : public OSError {
 public:
  using OSError::OSError;
  const char* python_type() const noexcept override { return "ConnectionRefusedError"; }
};
class TimeoutError : public OSError {
 public:
  using OSError::OSError;
  const char* python_type() const noexcept override { return "TimeoutError"; }
};

}  // namespace dictlog
