//! The guard's side of rate limits shared with the bot's other processes (novera-core's
//! [`SharedRateLimits`](novera_core::SharedRateLimits)): which bucket a request falls in.

use novera_core::LimitedRoute;

use super::route::Route;

/// The route and major parameter of a request, as shared rate limits key it.
pub(crate) fn limited(route: &Route) -> LimitedRoute {
    let major = match route.path.split('/').next() {
        Some("channels" | "guilds" | "webhooks") => {
            route.targets().next().unwrap_or_default().to_owned()
        }
        _ => String::new(),
    };
    LimitedRoute::new(route.template.clone(), major)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: &str, path: &str) -> LimitedRoute {
        limited(&Route::new(method, path))
    }

    #[test]
    fn the_major_parameter_is_the_top_level_resource() {
        let route = of("POST", "channels/17/messages?x=1");
        assert_eq!(route.template, "POST /channels/{id}/messages");
        assert_eq!(route.major, "channels/17");
        assert_eq!(of("PUT", "guilds/2/members/3/roles/4").major, "guilds/2");
        assert_eq!(of("GET", "gateway/bot").major, "");
        assert_eq!(of("PUT", "applications/1/commands").major, "");
    }
}
