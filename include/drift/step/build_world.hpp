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
// (params, areas, replicate): `threads` (World::threads of the world returned) draws the class
// ties in shares and changes nothing else.
World build_world(const Parameters& p, const std::vector<AreaSpec>& areas, std::uint32_t replicate,
                  int threads = 1);

// Whether the parameter shapes the world build_world() makes beyond what reparametrise()
// recomputes: the seed, the burn-in, the population and its scale, the drawing of ties and the
// networks' number and territories. Every other parameter enters a freshly built world only
// through the networks' places and fixed share, the baseline attitudes and the registration
// hazards.
bool shapes_the_build(const ParamInfo& parameter);
// Whether a and b agree in every parameter that shapes the build.
bool same_build(const Parameters& a, const Parameters& b);

// Turns a world just made by build_world(w.params, areas, r) into the one build_world(p, areas, r)
// makes, bit for bit, without drawing it again (test
// BuildWorld.AReparametrisedWorldIsTheOneBuiltWithItsParameters). Refused (std::invalid_argument)
// when same_build(w.params, p) is false or the world has been stepped.
void reparametrise(World& w, const Parameters& p);

}  // namespace drift
