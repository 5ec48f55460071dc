#pragma once
// The analytics REST API (/api/v1/..., JSON or CSV): accounts, tokens and scanners of a tenant,
// sites, devices, readings, counters, page volume with counter epochs, meter reads, supplies,
// alerts and events. Every route is authenticated (tag "analytics": a user session, a tenant API
// token, or the platform admin with ?tenant=) except POST /api/v1/auth/login and the password
// reset (POST /api/v1/auth/password-reset[/confirm]), and every query is scoped to the caller's
// tenant. docs/openapi.yaml describes each route.

#include <chrono>
#include <string>

#include "auth/authenticator.hpp"
#include "auth/login_limiter.hpp"
#include "printmon/net/router.hpp"
#include "storage/pool.hpp"
#include "storage/replica.hpp"

namespace printmon::cloud::api {

struct AnalyticsOptions {
    /// A scanner that has not uploaded for this long is "stale" (sites, scanners).
    std::chrono::seconds scanner_stale_after{std::chrono::hours(1)};
    /// Brake on failed logins (POST /api/v1/auth/login), per account and per client address.
    auth::LoginLimits login_limits;
    /// The console's base URL for links in e-mails ([server] public_url); "" = no password reset
    /// e-mails (the request is answered the same, and a warning logged).
    std::string public_url;
    /// Brake on password reset requests (POST /api/v1/auth/password-reset), per e-mail address
    /// asked for and per client address: each request may send an e-mail.
    auth::RequestLimits reset_limits;
    /// Reads go to this replica while it is fresh enough (nullptr: always the primary); it
    /// must outlive the router.
    storage::ReplicaReads* replica = nullptr;
};

/// Registers the routes on `router`; `pool` and `authenticator` must outlive it.
void register_analytics_routes(net::Router& router, storage::ConnectionPool& pool,
                               const auth::Authenticator& authenticator,
                               const AnalyticsOptions& options = {});

}  // namespace printmon::cloud::api
