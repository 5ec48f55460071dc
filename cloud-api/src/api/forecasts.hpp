#pragma once
// The device answer's supplies with their days-to-empty forecasts (printmon::supply::forecast),
// computed at read time from the device's recent readings (docs/cloud-api.md, "Cartridge changes
// and forecasts"): a forecast depends on every reading of the cartridge, so keeping it in the
// read model would mean recomputing it on each upload for no reader.

#include <string>
#include <string_view>

#include <pqxx/transaction_base>

namespace printmon::cloud::api {

/// `supplies` (the latest snapshot's supplies array, JSON) with a "forecast" member added to
/// each consumed supply (null for receptacles such as waste toner). Not an array: unchanged.
std::string supplies_with_forecasts(pqxx::transaction_base& tx, const std::string& tenant,
                                    const std::string& device, std::string_view supplies);

}  // namespace printmon::cloud::api
