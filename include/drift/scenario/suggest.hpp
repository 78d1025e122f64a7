#pragma once
// "Did you mean" suggestions for misspelt keys and names.
#include <string>
#include <string_view>
#include <vector>

namespace drift {

// Levenshtein distance between two strings.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to be a plausible typo
// (distance at most max(2, |word| / 3)).
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'X'?" for the nearest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace drift
