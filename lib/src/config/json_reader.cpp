#include "config/json_reader.hpp"

#include <unordered_map>
#include <utility>
#include <vector>

namespace dictlog::config::detail {

namespace {

using Json = nlohmann::ordered_json;
using Members = std::vector<std::pair<const std::string, Json>>;

// Objects up to this many keys are searched as ordered_map searches them.
constexpr std::size_t kLinear = 8;

class DocumentBuilder {
 public:
  explicit DocumentBuilder(Json& root) : root_(root) {}

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool b) { return put(Json(b)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const std::string&) { return put(Json(v)); }
  bool string(std::string& s) { return put(Json(std::move(s))); }
  bool binary(Json::binary_t& b) { return put(Json(std::move(b))); }
  bool start_object(std::size_t) {
    put(Json::object());
    open_.push_back({last_, {}, {}});
    return true;
  }
  bool key(std::string& k) {
    open_.back().key = std::move(k);
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    put(Json::array());
    open_.push_back({last_, {}, {}});
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& e) {
    throw e;  // what nlohmann's DOM parser throws, with its position and text
  }

 private:
  struct Open {
    Json* value;
    std::string key;  // the key read for the next member (objects)
    std::unordered_map<std::string, std::size_t> index;  // key -> place, past kLinear
  };

  // Places a value in the open container (or as the root); last_ is where it went. An
  // open container's address stays put: nothing is added to its parent until it closes.
  bool put(Json&& v) {
    if (open_.empty()) {
      root_ = std::move(v);
      last_ = &root_;
      return true;
    }
    Open& o = open_.back();
    if (o.value->is_array()) {
      o.value->push_back(std::move(v));
      last_ = &o.value->back();
      return true;
    }
    auto& members = static_cast<Members&>(*o.value->get_ptr<Json::object_t*>());
    std::size_t at = members.size();
    if (members.size() <= kLinear) {
      for (std::size_t i = 0; i < members.size(); ++i)
        if (members[i].first == o.key) at = i;
    } else {
      if (o.index.empty())
        for (std::size_t i = 0; i < members.size(); ++i) o.index.emplace(members[i].first, i);
      at = o.index.emplace(o.key, members.size()).first->second;
    }
    if (at == members.size())
      members.emplace_back(std::move(o.key), std::move(v));
    else
      members[at].second = std::move(v);
    last_ = &members[at].second;
    return true;
  }

  Json& root_;
  Json* last_ = nullptr;
  std::vector<Open> open_;
};

}  // namespace

nlohmann::ordered_json read_ordered_json(const std::string& text) {
  Json root;
  DocumentBuilder b(root);
  Json::sax_parse(text, &b);
  return root;
}

}  // namespace dictlog::config::detail
