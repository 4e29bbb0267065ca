//! Edges read from names, `entrypoint:` arguments and mounted config files
//! (hand-written inputs, one rule each), and what the rules must not do.

use super::*;

fn compose_in(dir: &Path, text: &str) -> ImportOutcome {
    let path = write(dir, "compose.yaml", text);
    import(&[path])
}

fn compose(text: &str) -> ImportOutcome {
    let dir = tempfile::tempdir().unwrap();
    compose_in(dir.path(), text)
}

/// The edges whose every piece of evidence is a guess from names.
fn named_edges(outcome: &ImportOutcome) -> BTreeSet<(String, String)> {
    outcome
        .summary
        .edges
        .iter()
        .filter(|e| e.evidence.iter().all(|ev| ev.contains("naming:")))
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect()
}

#[test]
fn names_that_say_nothing_give_no_edge() {
    let outcome = compose(
        "services:\n  alpha: {image: team/alpha}\n  beta: {image: team/beta}\n  gamma: {image: team/gamma}\n",
    );
    assert!(edges(&outcome.topology).is_empty());
}

#[test]
fn a_datastore_named_after_one_service_is_that_services() {
    let outcome = compose(
        "services:\n  orders: {image: shop/orders}\n  orders-db: {image: 'mongo:7'}\n  billing-svc: {image: shop/billing}\n  billing-redis: {image: redis}\n",
    );
    let t = &outcome.topology;
    assert_eq!(
        edges(t),
        pairs(&[("orders", "orders-db"), ("billing-svc", "billing-redis")])
    );
    assert_eq!(confidence(t, "orders", "orders-db"), "low");
    let why = evidence(&outcome, "orders", "orders-db");
    assert_eq!(
        why,
        [
            "compose.yaml: naming: orders-db is a datastore named after orders and no other service uses it [low]"
        ]
    );
}

#[test]
fn an_ambiguous_or_already_used_datastore_is_left_alone() {
    // Two services could own `cart-db` (`cart`, `cart-svc`); `stock-db` is already used by `audit`.
    let outcome = compose(
        "services:\n  cart: {image: x/cart}\n  cart-svc: {image: x/cart-svc}\n  cart-db: {image: postgres}\n  stock: {image: x/stock}\n  audit:\n    image: x/audit\n    environment: {DB_HOST: stock-db}\n  stock-db: {image: postgres}\n",
    );
    assert_eq!(edges(&outcome.topology), pairs(&[("audit", "stock-db")]));
}

#[test]
fn a_queue_worker_uses_the_only_unused_queue() {
    let outcome = compose(
        "services:\n  email-worker: {image: x/email}\n  broker: {image: 'rabbitmq:3'}\n  billing: {image: x/billing}\n",
    );
    assert!(named_edges(&outcome).contains(&("email-worker".to_owned(), "broker".to_owned())));
    // Two unused queues: which one the worker uses cannot be told.
    let two = compose(
        "services:\n  email-worker: {image: x/email}\n  q1: {image: 'rabbitmq:3'}\n  q2: {image: 'nats:2'}\n",
    );
    assert!(edges(&two.topology).is_empty());
}

#[test]
fn a_front_end_named_after_its_back_end_calls_it() {
    let outcome = compose(
        "services:\n  media-frontend:\n    image: x/media-ui\n    ports: ['8081:80']\n  media-service: {image: x/media}\n  text-service: {image: x/text}\n  gateway:\n    image: nginx\n    ports: ['80:80']\n    depends_on: [text-service]\n",
    );
    let named = named_edges(&outcome);
    assert!(named.contains(&("media-frontend".to_owned(), "media-service".to_owned())));
    let why = evidence(&outcome, "media-frontend", "media-service");
    assert!(
        why[0].contains("is the front end of media-service"),
        "{why:?}"
    );
    // The gateway already calls an application service: no front-door guess.
    assert_eq!(named.len(), 1, "{named:?}");
}

#[test]
fn the_front_door_calls_what_nobody_calls_and_a_gateway_forwards_to_it() {
    let outcome = compose(
        "services:\n  edge-router:\n    image: x/edge-router\n    ports: ['80:80']\n  front-end: {image: x/front-end}\n  catalogue: {image: x/catalogue}\n  catalogue-db: {image: 'mysql:8'}\n  payment: {image: x/payment}\n",
    );
    assert_eq!(
        named_edges(&outcome),
        pairs(&[
            ("edge-router", "front-end"),
            ("front-end", "catalogue"),
            ("front-end", "payment"),
            ("catalogue", "catalogue-db"),
        ])
    );
    let why = evidence(&outcome, "front-end", "payment");
    assert!(
        why[0].contains("front-end is the front door")
            && why[0].contains("payment is called by nobody"),
        "{why:?}"
    );
    assert_eq!(outcome.topology.workload[0].to, "edge-router");
}

#[test]
fn declared_calls_are_not_guessed_over() {
    // Everything is wired already: no rule adds anything.
    let outcome = compose(
        "services:\n  web:\n    image: x/web\n    ports: ['80:80']\n    environment: {API_URL: 'http://api:8080'}\n  api:\n    image: x/api\n    depends_on: [api-db]\n  api-db: {image: postgres}\n",
    );
    assert!(named_edges(&outcome).is_empty());
    assert_eq!(edges(&outcome.topology).len(), 2);
}

#[test]
fn with_traces_names_are_not_guessed_from() {
    let dir = tempfile::tempdir().unwrap();
    let compose_file = write(
        dir.path(),
        "compose.yaml",
        "services:\n  front-end: {image: x/front-end}\n  catalogue: {image: x/catalogue}\n  carts: {image: x/carts}\n  carts-db: {image: mongo}\n",
    );
    let trace = write(
        dir.path(),
        "trace.json",
        r#"{"data": [{"traceID": "t1", "processes": {"p1": {"serviceName": "front-end"}, "p2": {"serviceName": "catalogue"}},
          "spans": [
            {"traceID": "t1", "spanID": "a", "operationName": "GET /", "startTime": 1000, "duration": 5000, "processID": "p1", "references": []},
            {"traceID": "t1", "spanID": "b", "operationName": "list", "startTime": 2000, "duration": 1000, "processID": "p2",
             "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "a"}]}
          ]}]}"#,
    );
    let outcome = import(&[compose_file, trace]);
    assert_eq!(
        edges(&outcome.topology),
        pairs(&[("front-end", "catalogue")])
    );
    assert!(named_edges(&outcome).is_empty());
}

#[test]
fn entrypoint_arguments_name_services_but_not_the_program() {
    let outcome = compose(
        "services:\n  app:\n    image: x/app\n    entrypoint: [catalogue, --catalogue-url, 'http://catalogue:80', -link, 'carts:80']\n  catalogue: {image: x/catalogue}\n  carts: {image: x/carts}\n",
    );
    let t = &outcome.topology;
    assert!(edges(t).contains(&("app".to_owned(), "catalogue".to_owned())));
    assert!(edges(t).contains(&("app".to_owned(), "carts".to_owned())));
    assert_eq!(confidence(t, "app", "catalogue"), "medium");
    let why = evidence(&outcome, "app", "catalogue");
    // Only the URL argument is evidence; the program's name is not.
    assert_eq!(
        why,
        ["compose.yaml: entrypoint argument `http://catalogue:80` (URL) [medium]"]
    );
}

#[test]
fn a_config_file_mounted_into_one_service_is_its_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "application.properties",
        "server.port=8080\nspring.data.mongodb.host=orders-db\npayment.url=http://payment:80/pay\n",
    );
    let outcome = compose_in(
        dir.path(),
        "services:\n  orders:\n    image: x/orders\n    volumes: ['./application.properties:/app/application.properties:ro', 'data:/data']\n  orders-db: {image: mongo}\n  payment: {image: x/payment}\nvolumes:\n  data: {}\n",
    );
    let t = &outcome.topology;
    assert_eq!(
        edges(t),
        pairs(&[("orders", "orders-db"), ("orders", "payment")])
    );
    assert_eq!(confidence(t, "orders", "orders-db"), "medium");
    let why = evidence(&outcome, "orders", "orders-db");
    assert_eq!(
        why,
        [
            "application.properties: mounted config ./application.properties (mounted by orders): spring.data.mongodb.host=orders-db (host name) [medium]"
        ]
    );
}

#[test]
fn a_shared_config_file_is_attributed_by_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config.json",
        r#"{"consulAddress": "consul:8500", "GeoMongoAddress": "mongodb-geo:27017", "ReserveMemcAddress": "memcached-reserve:11211"}"#,
    );
    let outcome = compose_in(
        dir.path(),
        "services:\n  consul: {image: hashicorp/consul}\n  geo:\n    image: x/hotel\n    configs: [{source: server_config, target: /config.json}]\n  reservation:\n    image: x/hotel\n    configs: [server_config]\n  mongodb-geo: {image: mongo}\n  memcached-reserve: {image: memcached}\nconfigs:\n  server_config:\n    file: ./config.json\n",
    );
    let t = &outcome.topology;
    assert!(edges(t).contains(&("geo".to_owned(), "mongodb-geo".to_owned())));
    assert!(edges(t).contains(&("reservation".to_owned(), "memcached-reserve".to_owned())));
    assert_eq!(confidence(t, "reservation", "memcached-reserve"), "medium");
    // consulAddress names no one of them: no edge, and a note says so.
    assert!(!edges(t).iter().any(|(_, to)| to == "consul"));
    let notes: Vec<String> = outcome
        .summary
        .notes
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("consulAddress") && n.contains("no edge")),
        "{notes:?}"
    );
    // The mounted file was read: an import must never write over it.
    assert!(
        outcome
            .files_read
            .iter()
            .any(|p| p.ends_with("config.json")),
        "{:?}",
        outcome.files_read
    );
}

#[test]
fn the_same_sources_give_the_same_file_and_summary() {
    for fixture_path in [
        "train-ticket/docker-compose.yml",
        "sock-shop/docker-compose.yml",
        "deathstarbench-hotel-reservation/docker-compose.yml",
    ] {
        let first = import(&[fixture(fixture_path)]);
        let second = import(&[fixture(fixture_path)]);
        assert_eq!(
            archsim::model::to_json_string(&first.topology),
            archsim::model::to_json_string(&second.topology),
            "{fixture_path}"
        );
        assert_eq!(first.summary.to_string(), second.summary.to_string());
    }
}

#[test]
fn guesses_from_names_can_be_turned_off() {
    // `archsim diff` does so: a guess is not something the sources show.
    let options = archsim::import::ImportOptions {
        guess_from_names: false,
        ..archsim::import::ImportOptions::default()
    };
    let outcome = import_with(&[fixture("sock-shop/docker-compose.yml")], &options);
    assert_eq!(
        edges(&outcome.topology),
        pairs(&[("user", "user-db"), ("user-sim", "edge-router")])
    );
}
