#pragma once
// The areas of the modelled city: the input data a world is built from.
#include <string>

namespace drift {

// One district (wijk) or other area of the modelled city.
struct AreaSpec {
  std::string name;
  double youth_12_17 = 0;       // residents aged 12-17
  double youth_18_26 = 0;       // residents aged 18-26
  double low_income_share = 0;  // share of households at or below 125% of the social minimum
  int schools = 0;              // secondary school locations
  bool operator==(const AreaSpec&) const = default;
};

}  // namespace drift
