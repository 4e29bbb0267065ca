//! Small hand-written Kubernetes manifests, one heuristic each.

use archsim::model::ServiceKind;

use super::*;

fn manifests(files: &[(&str, &str)]) -> (tempfile::TempDir, ImportOutcome) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| write(dir.path(), name, text))
        .collect();
    let outcome = import(&paths);
    (dir, outcome)
}

const SHOP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      initContainers:
        - name: wait
          image: busybox
          env: [{name: CART_ADDR, value: "cart-svc:80"}]
      containers:
        - name: main
          image: shop/web:1
          envFrom: [{configMapRef: {name: web-config}}]
          env:
            - {name: CART_HOST, value: cart-svc.shop.svc.cluster.local}
            - {name: CART_PORT, value: "80"}
            - {name: CART_URL, value: "http://$(CART_HOST):$(CART_PORT)"}
            - name: DB_HOST
              valueFrom: {configMapKeyRef: {name: web-config, key: database}}
            - {name: SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data:
  database: orders-db
  SEARCH_ENDPOINT: "http://search.shop:9200"
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: orders-db, namespace: shop}
spec:
  replicas: 2
  serviceName: orders-db
  selector: {matchLabels: {app: orders-db}}
  template:
    metadata: {labels: {app: orders-db}}
    spec:
      containers: [{name: pg, image: "postgres:16"}]
---
apiVersion: v1
kind: Service
metadata: {name: orders-db, namespace: shop}
spec: {selector: {app: orders-db}, clusterIP: None}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart, version: v2}}
    spec:
      containers:
        - name: cart
          image: shop/cart:2
          args: ["--redis", "cart-cache:6379"]
---
apiVersion: v1
kind: Service
metadata: {name: cart-svc, namespace: shop}
spec: {selector: {app: cart}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: search, namespace: shop}
spec:
  selector: {matchLabels: {app: search}}
  template:
    metadata: {labels: {app: search}}
    spec: {containers: [{name: es, image: "elasticsearch:8"}]}
---
apiVersion: v1
kind: Service
metadata: {name: search, namespace: shop}
spec: {selector: {app: search}}
---
apiVersion: v1
kind: Service
metadata: {name: web-public, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
"#;

#[test]
fn services_resolve_to_workloads_through_selectors() {
    let (_dir, outcome) = manifests(&[("shop.yaml", SHOP)]);
    let t = &outcome.topology;
    let mut got = names(t);
    got.sort_unstable();
    assert_eq!(got, ["cart", "orders-db", "search", "web"]);
    // cart-svc (a Service) → the Deployment cart; FQDN and $(VAR) forms;
    // ConfigMap values by key and through envFrom.
    assert_eq!(
        edges(t),
        pairs(&[("web", "cart"), ("web", "orders-db"), ("web", "search")])
    );
    let cart = evidence(&outcome, "web", "cart");
    assert!(
        cart.iter().any(|e| e.contains("initContainers[wait]")),
        "{cart:?}"
    );
    assert!(
        cart.iter()
            .any(|e| e.contains("CART_URL=http://cart-svc.shop.svc.cluster.local:80")),
        "{cart:?}"
    );
    let db = evidence(&outcome, "web", "orders-db");
    assert!(
        db.iter()
            .any(|e| e.contains("ConfigMap web-config key database")),
        "{db:?}"
    );
    assert_eq!(confidence(t, "web", "search"), "medium");
    // A host that is nobody here (cart-cache) makes no edge.
    assert!(!edges(t).iter().any(|(from, _)| from == "cart"));
}

#[test]
fn replicas_kinds_exposure_and_ignored_objects() {
    let (_dir, outcome) = manifests(&[("shop.yaml", SHOP)]);
    let t = &outcome.topology;
    assert_eq!(service(t, "web").replicas, 3);
    assert_eq!(service(t, "orders-db").replicas, 2);
    assert_eq!(service(t, "cart").replicas, 1);
    assert_eq!(service(t, "orders-db").kind, ServiceKind::Database);
    assert_eq!(service(t, "search").kind, ServiceKind::Database);
    // The LoadBalancer Service marks web as where traffic enters.
    assert_eq!(t.workload.len(), 1);
    assert_eq!(t.workload[0].to, "web");
    let exposed = &service(t, "web").extensions[EXTENSION_KEY]["exposed"];
    assert_eq!(exposed, "Service web-public type LoadBalancer");
    let notes: Vec<String> = outcome
        .summary
        .notes
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("1 ServiceAccount")),
        "{notes:?}"
    );
}

#[test]
fn horizontal_pod_autoscalers_become_autoscale() {
    let hpa = r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 4
  maxReplicas: 12
  metrics:
    - type: Resource
      resource: {name: memory, target: {type: Utilization, averageUtilization: 90}}
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 65}}
  behavior: {scaleDown: {stabilizationWindowSeconds: 120}}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: cart, namespace: shop}
spec:
  scaleTargetRef: {kind: Deployment, name: cart}
  maxReplicas: 5
  targetCPUUtilizationPercentage: 50
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost, namespace: shop}
spec:
  scaleTargetRef: {kind: Deployment, name: ghost}
  maxReplicas: 5
"#;
    let (_dir, outcome) = manifests(&[("shop.yaml", SHOP), ("hpa.yaml", hpa)]);
    let t = &outcome.topology;
    let web = service(t, "web").autoscale.clone().unwrap();
    assert_eq!((web.min, web.max), (4, 12));
    assert!((web.target_utilization - 0.65).abs() < 1e-9);
    assert_eq!(web.cooldown_s, 120.0);
    // Replicas start within the autoscaler's range.
    assert_eq!(service(t, "web").replicas, 4);
    let cart = service(t, "cart").autoscale.clone().unwrap();
    assert_eq!((cart.min, cart.max), (1, 5));
    assert!((cart.target_utilization - 0.5).abs() < 1e-9);
    assert_eq!(cart.cooldown_s, 300.0);
    assert!(
        outcome.warnings.iter().any(|w| w.contains("ghost")),
        "{:?}",
        outcome.warnings
    );
}

/// The replica limits hold for autoscalers too: a `maxReplicas` beyond
/// what archsim simulates must not make the import invalid.
#[test]
fn an_autoscaler_beyond_what_archsim_simulates_is_capped_with_a_warning() {
    let hpa = r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 1000000000
"#;
    let (_dir, outcome) = manifests(&[("shop.yaml", SHOP), ("hpa.yaml", hpa)]);
    let web = service(&outcome.topology, "web").autoscale.clone().unwrap();
    assert_eq!((web.min, web.max), (2, 100_000));
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("web: autoscale maximum 1000000000")),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn lists_external_names_and_workloads_without_services() {
    let text = r#"
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      template:
        metadata: {labels: {app: api}}
        spec:
          containers:
            - name: api
              image: x/api
              env:
                - {name: PAYMENTS_URL, value: "https://payments:443"}
                - {name: WORKER_ADDR, value: "worker:7000"}
  - apiVersion: v1
    kind: Service
    metadata: {name: payments}
    spec: {type: ExternalName, externalName: api.payments.example.com}
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: worker}
    spec:
      template:
        metadata: {labels: {app: worker}}
        spec: {containers: [{name: w, image: x/worker}]}
"#;
    let (_dir, outcome) = manifests(&[("list.yaml", text)]);
    let t = &outcome.topology;
    assert_eq!(edges(t), pairs(&[("api", "payments"), ("api", "worker")]));
    assert_eq!(service(t, "payments").kind, ServiceKind::External);
    // No Service in front of worker: matched by workload name, a guess.
    assert_eq!(confidence(t, "api", "worker"), "low");
}

#[test]
fn same_name_in_two_namespaces_stays_two_services() {
    let text = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: a}
spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x/api}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: b}
spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x/api}]}}}
"#;
    let (_dir, outcome) = manifests(&[("two.yaml", text)]);
    assert_eq!(names(&outcome.topology), ["api", "api.b"]);
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("two namespaces")),
        "{:?}",
        outcome.warnings
    );
}
