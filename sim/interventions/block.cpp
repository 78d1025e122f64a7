#include "block.hpp"

#include "drift/model/population.hpp"

namespace drift::iv {

InterventionType make_type(const Schema& schema, Maker make) {
  InterventionType t;
  t.type = schema.type;
  t.description = schema.description;
  t.schema = schema;
  t.make = std::move(make);
  return t;
}

}  // namespace drift::iv
