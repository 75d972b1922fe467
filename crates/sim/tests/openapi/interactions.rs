//! The interaction part of the conformance scenario: every callback kind (4-9) and webhook
//! route, in the order a bot uses them, plus the callback errors.

use serde_json::{Value, json};

use crate::harness::Conformance;
use crate::scenario::World;

// One scenario: every callback kind and webhook route, in the order a bot uses them.
#[allow(clippy::too_many_lines)]
pub(super) async fn interactions(c: &mut Conformance, w: &World) {
    let (app, channel, control) = (&w.app, &w.channel, c.sim.control());
    let messages = format!("/channels/{channel}/messages");
    let t_messages = "/channels/{channel_id}/messages";
    // Interactions: callback kinds, with_response, errors, webhooks.
    let t_callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    let t_original = "/webhooks/{webhook_id}/{webhook_token}/messages/@original";
    let t_followup = "/webhooks/{webhook_id}/{webhook_token}";
    let t_webhook_message = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
    let run = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let callback = format!("/interactions/{}/{}/callback", run.id, run.token);
    let webhook = format!("/webhooks/{app}/{}", run.token);
    c.call(
        "get",
        t_original,
        &format!("{webhook}/messages/@original"),
        None,
        false,
    )
    .await; // 10015 before any response
    let (status, _) = c
        .call(
            "post",
            t_callback,
            &format!("{callback}?with_response=true"),
            Some(
                json!({"type": 4, "data": {"content": "pong", "allowed_mentions": {"parse": []}}}),
            ),
            false,
        )
        .await;
    assert_eq!(status, 200);
    c.call(
        "post",
        t_callback,
        &callback,
        Some(json!({"type": 4, "data": {"content": "again"}})),
        false,
    )
    .await; // 40060
    c.call(
        "get",
        t_original,
        &format!("{webhook}/messages/@original"),
        None,
        false,
    )
    .await;
    c.call(
        "patch",
        t_original,
        &format!("{webhook}/messages/@original"),
        Some(json!({"content": "pong!"})),
        false,
    )
    .await;
    let (_, follow) = c
        .call(
            "post",
            t_followup,
            &webhook,
            Some(json!({"content": "more", "flags": 64})),
            false,
        )
        .await;
    let fid = follow["id"].as_str().expect("id").to_owned();
    c.call("post", t_followup, &webhook, Some(json!({})), false)
        .await; // 50006
    c.call(
        "get",
        t_webhook_message,
        &format!("{webhook}/messages/{fid}"),
        None,
        false,
    )
    .await;
    c.call(
        "patch",
        t_webhook_message,
        &format!("{webhook}/messages/{fid}"),
        Some(json!({"content": "less"})),
        false,
    )
    .await;
    c.call(
        "delete",
        t_webhook_message,
        &format!("{webhook}/messages/{fid}"),
        None,
        false,
    )
    .await;
    c.call(
        "delete",
        t_original,
        &format!("{webhook}/messages/@original"),
        None,
        false,
    )
    .await;
    c.call(
        "post",
        t_followup,
        &format!("/webhooks/{app}/nope"),
        Some(json!({"content": "x"})),
        false,
    )
    .await; // 50027
    c.call(
        "post",
        t_followup,
        &format!("/webhooks/1/{}", run.token),
        Some(json!({"content": "x"})),
        false,
    )
    .await; // 10015
    c.call(
        "post",
        t_callback,
        "/interactions/1/nope/callback",
        Some(json!({"type": 4, "data": {"content": "x"}})),
        false,
    )
    .await; // 10062

    let deferred = control
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let (status, body) = c
        .call(
            "post",
            t_callback,
            &format!(
                "/interactions/{}/{}/callback?with_response=1",
                deferred.id, deferred.token
            ),
            Some(json!({"type": 5})),
            false,
        )
        .await;
    assert_eq!(
        (
            status,
            body["interaction"]["response_message_loading"].as_bool()
        ),
        (200, Some(true))
    );
    c.call(
        "post",
        t_callback,
        &format!("/interactions/{}/{}/callback", deferred.id, "wrong"),
        Some(json!({"type": 4})),
        false,
    )
    .await;

    let button = c.call("post", t_messages, &messages, Some(json!({"content": "pick", "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}]})), true).await.1;
    let click = control
        .click(button["id"].as_str().expect("id"), "go", None)
        .await
        .expect("click");
    c.call(
        "post",
        t_callback,
        &format!(
            "/interactions/{}/{}/callback?with_response=true",
            click.id, click.token
        ),
        Some(json!({"type": 7, "data": {"content": "picked", "components": []}})),
        false,
    )
    .await;
    autocomplete(c).await;
    modals(c).await;
}

/// Autocomplete results (type 8): accepted, too many choices (50035), a type that does not
/// fit (40043).
async fn autocomplete(c: &mut Conformance) {
    let t_callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    let control = c.sim.control();
    let focused = json!([{"name": "q", "type": 3, "value": "ap", "focused": true}]);
    let auto = control
        .autocomplete("find", focused.clone(), None, None, None)
        .await
        .expect("autocomplete");
    let callback = format!("/interactions/{}/{}/callback", auto.id, auto.token);
    let many: Vec<Value> = (0..26)
        .map(|i| json!({"name": format!("c{i}"), "value": format!("c{i}")}))
        .collect();
    let (status, _) = c
        .call(
            "post",
            t_callback,
            &callback,
            Some(json!({"type": 8, "data": {"choices": many}})),
            false,
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = c
        .call(
            "post",
            t_callback,
            &callback,
            Some(json!({"type": 4, "data": {"content": "x"}})),
            false,
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = c
        .call(
            "post",
            t_callback,
            &format!("{callback}?with_response=true"),
            Some(json!({"type": 8, "data": {"choices": [{"name": "Apple", "value": "apple"}]}})),
            false,
        )
        .await;
    assert_eq!(
        (status, body["interaction"]["type"].as_u64()),
        (200, Some(4))
    );
    let auto = control
        .autocomplete("find", focused, None, None, None)
        .await
        .expect("autocomplete");
    let (status, _) = c
        .call(
            "post",
            t_callback,
            &format!("/interactions/{}/{}/callback", auto.id, auto.token),
            Some(json!({"type": 8, "data": {"choices": []}})),
            false,
        )
        .await;
    assert_eq!(status, 204);
}

/// Modals (type 9): an invalid one (50035), a valid one, and its submit answered with a
/// message (`with_response`), where a second modal does not fit (40043).
async fn modals(c: &mut Conformance) {
    let t_callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    let control = c.sim.control();
    let modal = control
        .run_command("form", Value::Null, None, None, None)
        .await
        .expect("run");
    let callback = format!("/interactions/{}/{}/callback", modal.id, modal.token);
    let (status, _) = c
        .call(
            "post",
            t_callback,
            &callback,
            Some(json!({"type": 9, "data": {"custom_id": "f", "title": "Form", "components": []}})),
            false,
        )
        .await;
    assert_eq!(status, 400);
    let form = json!({"type": 9, "data": {"custom_id": "form:f", "title": "Form", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "name", "style": 1, "label": "Name"}]},
        {"type": 18, "label": "Why", "component": {"type": 4, "custom_id": "why", "style": 2}},
    ]}});
    let (status, _) = c
        .call("post", t_callback, &callback, Some(form.clone()), false)
        .await;
    assert_eq!(status, 204);
    let submit = control
        .submit_modal(&modal.id, &[("name", "Ada"), ("why", "tests")], None)
        .await
        .expect("submit");
    let callback = format!("/interactions/{}/{}/callback", submit.id, submit.token);
    let (status, _) = c
        .call("post", t_callback, &callback, Some(form), false)
        .await;
    assert_eq!(status, 400);
    let (status, body) = c
        .call(
            "post",
            t_callback,
            &format!("{callback}?with_response=true"),
            Some(json!({"type": 4, "data": {"content": "Thanks, Ada", "allowed_mentions": {"parse": []}}})),
            false,
        )
        .await;
    assert_eq!(
        (status, body["interaction"]["type"].as_u64()),
        (200, Some(5))
    );
}
