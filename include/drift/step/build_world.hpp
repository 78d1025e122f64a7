#pragma once
// Building the world of one replicate: population, schools, ties and networks. It lives with the
// step because youths enter the world through the same transitions as during a run.
#include <cstdint>
#include <vector>

#include "drift/model/areas.hpp"
#include "drift/model/parameters.hpp"
#include "drift/model/world.hpp"

namespace drift {

// Builds the population, schools, ties and networks of one replicate. Deterministic in
// (params, areas, replicate).
World build_world(const Parameters& p, const std::vector<AreaSpec>& areas, std::uint32_t replicate);

}  // namespace drift
