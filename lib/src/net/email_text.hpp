// The text encodings under net/email_message.cpp (email_text.cpp, email_body.cpp): UTF-8 <-> code
// points as Python's str counts them, RFC 2047 encoded words (_encoded_words.py), quoted-printable
// and base64 bodies. Not installed.
#pragma once

#include <string>
#include <string_view>

namespace dictlog::detail {

// UTF-8 to code points (an invalid byte becomes U+FFFD) and back.
std::u32string utf8_to_u32(std::string_view s);
std::string u32_to_utf8(std::u32string_view s);

bool is_ascii(std::u32string_view s);
// "\n" or "\r" in `s` (the header folder encodes such a token).
bool has_newline(std::u32string_view s);
// Python's str.isspace() for one character.
bool py_isspace(char32_t c);

// _ew.encode(text, charset='utf-8'): "=?utf-8?q?...?=" or "=?utf-8?b?...?=", q unless it is
// five or more characters longer than b.
std::string encoded_word(std::u32string_view text);
// str(get_unstructured(text)) for what the folder itself wrote: encoded words decoded, the
// blanks between two encoded words dropped, everything else kept.
std::u32string decode_unstructured(std::string_view text);

// quoprimime.body_encode(text, maxlinelen, eol="\n") for latin-1 text (one char per byte).
std::string qp_body_encode(std::string_view bytes, std::size_t maxlinelen);
// binascii.b2a_base64: standard alphabet, "=" padding, a final "\n".
std::string b2a_base64(std::string_view bytes);

}  // namespace dictlog::detail
