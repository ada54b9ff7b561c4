package dev.tessera.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tessera.deploy.node.NodeSettings;
import dev.tessera.deploy.node.TesseraNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Everything about deploy/k8s that can be checked without a Kubernetes cluster: every YAML file
 * parses, kinds and API versions are known, selectors select the node's pods, RBAC lets the node's
 * service account list pods, probes and ports are the ones the node's configuration (with the
 * ConfigMap's node.conf) opens, images are pinned, resources are set, the node accepts the
 * ConfigMap's node.conf, and every kustomization lists every manifest beside it.
 */
class KubernetesManifestsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> API_VERSIONS = Map.of(
      "ServiceAccount", "v1", "ConfigMap", "v1", "Secret", "v1", "Service", "v1",
      "Role", "rbac.authorization.k8s.io/v1", "RoleBinding", "rbac.authorization.k8s.io/v1",
      "Deployment", "apps/v1", "StatefulSet", "apps/v1",
      "PodDisruptionBudget", "policy/v1",
      "Kustomization", "kustomize.config.k8s.io/v1beta1");
  private static final String SECRET_TEMPLATE = "secret.template.yaml";

  /** One YAML document and the file it came from. */
  record Manifest(Path file, JsonNode doc) {
    String kind() {
      return doc.path("kind").asText();
    }

    String name() {
      return doc.path("metadata").path("name").asText();
    }
  }

  private static Path root;
  private static List<Manifest> all;
  /** The manifests the base kustomization applies (resources, not patches or templates). */
  private static List<Manifest> base;
  /** Every node.conf: the base ConfigMap's and each overlay patch's, by file. */
  private static Map<Path, String> nodeConfs;

  @BeforeAll
  static void parseEveryManifest() throws IOException {
    // A copy elsewhere can be checked too (-Dtessera.k8s.dir=...): how this test was made to fail.
    String dir = System.getProperty("tessera.k8s.dir", "");
    root = !dir.isEmpty() ? Path.of(dir)
        : Files.isDirectory(Path.of("k8s")) ? Path.of("k8s") : Path.of("deploy", "k8s");
    all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(KubernetesManifestsTest::isYaml).sorted().toList()) {
        Iterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile());
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
            all.add(new Manifest(file, doc));
          }
        }
      }
    }
    base = new ArrayList<>();
    for (String entry : listed(root.resolve("base/kustomization.yaml"), "resources")) {
      base.addAll(manifestsIn(root.resolve("base").resolve(entry)));
    }
    nodeConfs = new LinkedHashMap<>();
    for (Manifest manifest : all) {
      if (manifest.kind().equals("ConfigMap")
          && manifest.doc().path("data").has("node.conf")) {
        nodeConfs.put(manifest.file(), manifest.doc().path("data").path("node.conf").asText());
      }
    }
  }

  @Test
  void everyManifestHasAKnownKindAndApiVersionAndAName() {
    assertThat(all).isNotEmpty();
    for (Manifest manifest : all) {
      assertThat(API_VERSIONS).as("kind of %s", manifest.file()).containsKey(manifest.kind());
      assertThat(manifest.doc().path("apiVersion").asText())
          .as("apiVersion of %s %s", manifest.kind(), manifest.file())
          .isEqualTo(API_VERSIONS.get(manifest.kind()));
      if (!manifest.kind().equals("Kustomization")) {
        assertThat(manifest.name()).as("metadata.name in %s", manifest.file()).isNotBlank();
        // Namespace-agnostic: the overlay (kustomize's namespace:) decides.
        assertThat(manifest.doc().path("metadata").has("namespace"))
            .as("metadata.namespace in %s", manifest.file()).isFalse();
      }
    }
    assertThat(kinds(base)).contains("ServiceAccount", "Role", "RoleBinding", "ConfigMap",
        "Deployment", "Service", "PodDisruptionBudget");
  }

  @Test
  void everyKustomizationListsEveryManifestBesideIt() throws IOException {
    Set<Path> referenced = new HashSet<>();
    List<Path> kustomizations;
    try (Stream<Path> files = Files.walk(root)) {
      kustomizations = files.filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
          .toList();
    }
    assertThat(kustomizations).hasSizeGreaterThanOrEqualTo(2);
    for (Path kustomization : kustomizations) {
      Path dir = kustomization.getParent();
      List<String> entries = new ArrayList<>(listed(kustomization, "resources"));
      for (JsonNode patch : YAML.readTree(kustomization.toFile()).path("patches")) {
        entries.add(patch.path("path").asText());
      }
      for (String entry : entries) {
        Path target = dir.resolve(entry).normalize();
        assertThat(Files.isRegularFile(target)
            || Files.isRegularFile(target.resolve("kustomization.yaml")))
            .as("%s lists %s, which is neither a file nor a kustomization", kustomization, entry)
            .isTrue();
        referenced.add(target);
      }
      try (Stream<Path> beside = Files.list(dir)) {
        for (Path file : beside.filter(KubernetesManifestsTest::isYaml).toList()) {
          if (!file.equals(kustomization)) {
            assertThat(entries).as("%s lists %s", kustomization, file.getFileName())
                .contains(file.getFileName().toString());
          }
        }
      }
    }
    for (Manifest manifest : all) {
      Path file = manifest.file().normalize();
      if (file.getFileName().toString().equals(SECRET_TEMPLATE)) {
        assertThat(referenced).as("the secret template is never applied").doesNotContain(file);
      } else if (!file.getFileName().toString().equals("kustomization.yaml")) {
        assertThat(referenced).as("some kustomization lists %s", file).contains(file);
      }
    }
  }

  @Test
  void workloadSelectorsMatchTheirPodLabels() {
    for (Manifest workload : workloads(all)) {
      JsonNode selector = workload.doc().path("spec").path("selector").path("matchLabels");
      assertThat(selector.size()).as("selector of %s", workload.file()).isPositive();
      assertSelects(selector, podLabels(workload), workload.file() + " selector");
    }
    assertThat(workloads(base)).hasSize(1);
  }

  @Test
  void servicesAndTheDisruptionBudgetSelectTheNodePods() {
    Manifest node = node();
    Map<String, Integer> ports = containerPorts(container(node));
    for (Manifest service : ofKind(base, "Service")) {
      assertSelects(service.doc().path("spec").path("selector"), podLabels(node),
          service.file() + " selector");
      for (JsonNode port : service.doc().path("spec").path("ports")) {
        JsonNode target = port.path("targetPort");
        if (target.isTextual()) {
          assertThat(ports).as("%s targetPort", service.file()).containsKey(target.asText());
        } else {
          assertThat(ports).as("%s targetPort", service.file()).containsValue(target.asInt());
        }
      }
    }
    assertThat(ofKind(base, "Service")).extracting(m -> m.doc().path("spec").path("ports")
        .path(0).path("targetPort").asText()).contains("http");
    List<Manifest> budgets = ofKind(base, "PodDisruptionBudget");
    assertThat(budgets).hasSize(1);
    assertSelects(budgets.get(0).doc().path("spec").path("selector").path("matchLabels"),
        podLabels(node), "PodDisruptionBudget selector");
    JsonNode spec = budgets.get(0).doc().path("spec");
    assertThat(spec.has("maxUnavailable") || spec.has("minAvailable")).isTrue();
  }

  @Test
  void theRoleLetsTheNodeServiceAccountListPods() {
    String account = podSpec(node()).path("serviceAccountName").asText();
    assertThat(account).isNotBlank();
    assertThat(ofKind(base, "ServiceAccount")).extracting(Manifest::name).contains(account);

    List<Manifest> bindings = ofKind(base, "RoleBinding");
    assertThat(bindings).hasSize(1);
    JsonNode binding = bindings.get(0).doc();
    assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
    assertThat(binding.path("roleRef").path("apiGroup").asText())
        .isEqualTo("rbac.authorization.k8s.io");
    List<String> subjects = new ArrayList<>();
    for (JsonNode subject : binding.path("subjects")) {
      if (subject.path("kind").asText().equals("ServiceAccount")) {
        subjects.add(subject.path("name").asText());
      }
    }
    assertThat(subjects).contains(account);

    String roleName = binding.path("roleRef").path("name").asText();
    List<Manifest> roles = ofKind(base, "Role").stream()
        .filter(r -> r.name().equals(roleName)).toList();
    assertThat(roles).as("the Role %s", roleName).hasSize(1);
    boolean listsPods = false;
    for (JsonNode rule : roles.get(0).doc().path("rules")) {
      if (texts(rule.path("apiGroups")).contains("")
          && texts(rule.path("resources")).contains("pods")
          && texts(rule.path("verbs")).containsAll(List.of("get", "watch", "list"))) {
        listsPods = true;
      }
    }
    assertThat(listsPods).as("a rule granting pods get, watch, list in the core API group")
        .isTrue();
  }

  @Test
  void probesAndPortsMatchTheNodeConfiguration() {
    JsonNode container = container(node());
    Map<String, Integer> ports = containerPorts(container);
    for (JsonNode port : container.path("ports")) {
      assertThat(port.path("name").asText()).as("every container port is named").isNotBlank();
    }
    assertThat(nodeConfs).hasSizeGreaterThanOrEqualTo(2);
    for (Map.Entry<Path, String> nodeConf : nodeConfs.entrySet()) {
      Config config = nodeConfig(nodeConf.getValue());
      String where = "with " + nodeConf.getKey();
      int management = config.getInt("pekko.management.http.port");
      assertThat(ports.get("http")).as("http " + where)
          .isEqualTo(config.getInt("tessera.serving.port"));
      assertThat(ports.get("management")).as("management " + where).isEqualTo(management);
      assertThat(ports.get("remoting")).as("remoting " + where)
          .isEqualTo(config.getInt("pekko.remote.artery.canonical.port"));

      String ready = "/" + config.getString("pekko.management.health-checks.readiness-path");
      String alive = "/" + config.getString("pekko.management.health-checks.liveness-path");
      assertProbe(container, "readinessProbe", ready, management, ports);
      assertProbe(container, "livenessProbe", alive, management, ports);
      if (container.has("startupProbe")) {
        assertProbe(container, "startupProbe", alive, management, ports);
      }
      // Contact points are probed on the port of this name.
      assertThat(ports).as("contact point port " + where).containsKey(config.getString(
          "pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
    }
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/ready");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/alive");
  }

  @Test
  void theNodeAcceptsEveryConfigMapNodeConfAndBootstrapsThroughKubernetes() {
    Manifest node = node();
    int replicas = node.doc().path("spec").path("replicas").asInt();
    JsonNode args = container(node).path("args");
    int configFlag = texts(args).indexOf("--config");
    assertThat(configFlag).as("the container passes --config").isNotNegative();
    String configPath = args.path(configFlag + 1).asText();
    assertThat(mountedConfigMapFile(node, configPath)).as("--config %s is mounted", configPath)
        .isEqualTo("node.conf");
    for (Map.Entry<Path, String> nodeConf : nodeConfs.entrySet()) {
      Config config = nodeConfig(nodeConf.getValue());
      TesseraNode.Settings settings = TesseraNode.Settings.create(config);
      assertThat(settings.node().bootstrap()).as("bootstrap with %s", nodeConf.getKey())
          .isEqualTo(NodeSettings.Bootstrap.KUBERNETES);
      assertThat(config.getString(
          "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"))
          .isEqualTo("kubernetes-api");
      assertThat(config.getInt(
          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"))
          .as("required contact points with %s", nodeConf.getKey()).isBetween(1, replicas);
      // The discovery's label selector, with the service name filled in, selects the pods.
      String selector = String.format(
          config.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
          config.getString("pekko.management.cluster.bootstrap.contact-point-discovery"
              + ".service-name"));
      String[] label = selector.split("=", 2);
      assertThat(label).as("selector %s", selector).hasSize(2);
      assertThat(podLabels(node).path(label[0]).asText()).as("pod label %s", selector)
          .isEqualTo(label[1]);
    }
  }

  @Test
  void imagesArePinned() {
    List<String> images = new ArrayList<>();
    for (Manifest workload : workloads(all)) {
      for (JsonNode container : podSpec(workload).path("containers")) {
        images.add(container.path("image").asText());
      }
    }
    assertThat(images).isNotEmpty();
    for (String image : images) {
      String lastPart = image.substring(image.lastIndexOf('/') + 1);
      assertThat(lastPart).as("image %s has a tag or digest", image).containsAnyOf(":", "@");
      assertThat(image).as("image %s", image).doesNotEndWith(":latest");
    }
    for (Manifest kustomization : ofKind(all, "Kustomization")) {
      for (JsonNode image : kustomization.doc().path("images")) {
        assertThat(image.has("newTag") || image.has("digest"))
            .as("%s pins %s", kustomization.file(), image).isTrue();
        assertThat(image.path("newTag").asText()).isNotEqualTo("latest");
      }
    }
  }

  @Test
  void containersRequestAndLimitCpuAndMemoryAboveTheHeap() {
    JsonNode container = container(node());
    JsonNode resources = container.path("resources");
    for (String bound : List.of("requests", "limits")) {
      for (String resource : List.of("cpu", "memory")) {
        assertThat(resources.path(bound).path(resource).asText())
            .as("resources.%s.%s", bound, resource).isNotBlank();
      }
    }
    long limit = bytes(resources.path("limits").path("memory").asText());
    long request = bytes(resources.path("requests").path("memory").asText());
    assertThat(request).isLessThanOrEqualTo(limit);
    Matcher heap = Pattern.compile("-Xmx(\\d+)([kmgKMG])")
        .matcher(env(container).getOrDefault("JAVA_TOOL_OPTIONS", ""));
    assertThat(heap.find()).as("JAVA_TOOL_OPTIONS sets -Xmx").isTrue();
    long maxHeap = bytes(heap.group(1) + heap.group(2).toUpperCase() + "i");
    // Metaspace, code cache, threads, direct buffers of Artery, Netty and the Kafka clients.
    assertThat(limit - maxHeap).as("memory limit beyond the heap").isGreaterThanOrEqualTo(
        bytes("768Mi"));
  }

  @Test
  void terminationGracePeriodCoversTheCoordinatedShutdown() {
    Config shutdown = ConfigFactory.load().getConfig("pekko.coordinated-shutdown");
    Duration total = Duration.ZERO;
    Config phases = shutdown.getConfig("phases");
    for (String phase : phases.root().keySet()) {
      Config settings = phases.getConfig("\"" + phase + "\"");
      total = total.plus(settings.hasPath("timeout") ? settings.getDuration("timeout")
          : shutdown.getDuration("default-phase-timeout"));
    }
    JsonNode container = container(node());
    List<String> preStop = texts(container.path("lifecycle").path("preStop").path("exec")
        .path("command"));
    if (!preStop.isEmpty()) {
      assertThat(preStop.get(0)).isEqualTo("sleep");
      total = total.plusSeconds(Long.parseLong(preStop.get(1)));
    }
    assertThat(podSpec(node()).path("terminationGracePeriodSeconds").asLong())
        .as("terminationGracePeriodSeconds vs preStop + every shutdown phase's timeout")
        .isGreaterThanOrEqualTo(total.toSeconds());
  }

  @Test
  void environmentAndSecretsAreOnesTheNodeReads() throws IOException {
    JsonNode container = container(node());
    String configText = configResourcesText();
    Manifest template = all.stream()
        .filter(m -> m.file().getFileName().toString().equals(SECRET_TEMPLATE))
        .findFirst().orElseThrow();
    Set<String> keys = new HashSet<>();
    template.doc().path("stringData").properties().forEach(e -> keys.add(e.getKey()));
    for (JsonNode variable : container.path("env")) {
      String name = variable.path("name").asText();
      if (name.startsWith("TESSERA_")) {
        assertThat(configText).as("some configuration reads %s", name)
            .contains("${?" + name + "}");
      }
      JsonNode secret = variable.path("valueFrom").path("secretKeyRef");
      if (!secret.isMissingNode()) {
        assertThat(secret.path("name").asText()).isEqualTo(template.name());
        assertThat(keys).as("the secret template has %s", secret.path("key").asText())
            .contains(secret.path("key").asText());
      }
    }
    assertThat(env(container)).containsKeys("TESSERA_HOST", "TESSERA_MANAGEMENT_HOST",
        "TESSERA_OPERATOR_TOKEN");
    for (JsonNode value : template.doc().path("stringData")) {
      assertThat(value.asText()).as("the template holds no real token").startsWith("REPLACE");
    }
  }

  // ---- helpers ----

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  private static List<String> listed(Path kustomization, String field) throws IOException {
    return texts(YAML.readTree(kustomization.toFile()).path(field));
  }

  private static List<Manifest> manifestsIn(Path file) {
    Path normal = file.normalize();
    return all.stream().filter(m -> m.file().normalize().equals(normal)).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    for (JsonNode element : array) {
      texts.add(element.asText());
    }
    return texts;
  }

  private static Set<String> kinds(List<Manifest> manifests) {
    Set<String> kinds = new HashSet<>();
    manifests.forEach(m -> kinds.add(m.kind()));
    return kinds;
  }

  private static List<Manifest> ofKind(List<Manifest> manifests, String kind) {
    return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
  }

  private static List<Manifest> workloads(List<Manifest> manifests) {
    return manifests.stream()
        .filter(m -> m.kind().equals("Deployment") || m.kind().equals("StatefulSet")).toList();
  }

  private static Manifest node() {
    List<Manifest> workloads = workloads(base);
    assertThat(workloads).hasSize(1);
    return workloads.get(0);
  }

  private static JsonNode podSpec(Manifest workload) {
    return workload.doc().path("spec").path("template").path("spec");
  }

  private static JsonNode podLabels(Manifest workload) {
    return workload.doc().path("spec").path("template").path("metadata").path("labels");
  }

  private static JsonNode container(Manifest workload) {
    JsonNode containers = podSpec(workload).path("containers");
    assertThat(containers.size()).isEqualTo(1);
    return containers.get(0);
  }

  private static Map<String, Integer> containerPorts(JsonNode container) {
    Map<String, Integer> ports = new HashMap<>();
    for (JsonNode port : container.path("ports")) {
      ports.put(port.path("name").asText(), port.path("containerPort").asInt());
    }
    return ports;
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : container.path("env")) {
      env.put(variable.path("name").asText(), variable.path("value").asText());
    }
    return env;
  }

  private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertThat(selector.size()).as("%s is not empty", what).isPositive();
    selector.properties().forEach(label -> assertThat(labels.path(label.getKey()).asText())
        .as("%s: pod label %s", what, label.getKey()).isEqualTo(label.getValue().asText()));
  }

  private static void assertProbe(JsonNode container, String probe, String path, int port,
      Map<String, Integer> ports) {
    JsonNode get = container.path(probe).path("httpGet");
    assertThat(get.path("path").asText()).as("%s path", probe).isEqualTo(path);
    JsonNode probePort = get.path("port");
    int resolved = probePort.isTextual()
        ? ports.getOrDefault(probePort.asText(), -1) : probePort.asInt();
    assertThat(resolved).as("%s port", probe).isEqualTo(port);
  }

  /** The file name within the ConfigMap mounted where {@code path} points. */
  private static String mountedConfigMapFile(Manifest workload, String path) {
    for (JsonNode mount : container(workload).path("volumeMounts")) {
      String dir = mount.path("mountPath").asText();
      if (path.startsWith(dir + "/")) {
        for (JsonNode volume : podSpec(workload).path("volumes")) {
          if (volume.path("name").asText().equals(mount.path("name").asText())) {
            String configMap = volume.path("configMap").path("name").asText();
            assertThat(ofKind(base, "ConfigMap")).extracting(Manifest::name).contains(configMap);
            return path.substring(dir.length() + 1);
          }
        }
      }
    }
    return "";
  }

  /** As {@code tessera node --config node.conf} loads it (NodeCommand). */
  private static Config nodeConfig(String nodeConf) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.parseString(nodeConf).withFallback(ConfigFactory.load()).resolve();
  }

  /** Every reference.conf on the classpath and deploy's own configuration files. */
  private static String configResourcesText() throws IOException {
    StringBuilder text = new StringBuilder();
    ClassLoader loader = KubernetesManifestsTest.class.getClassLoader();
    List<URL> urls = new ArrayList<>(Collections.list(loader.getResources("reference.conf")));
    for (String name : List.of("application.conf", "cluster.conf", "kafka.conf",
        "persistence.conf", "management.conf", "node.conf", "kubernetes.conf")) {
      urls.add(loader.getResource(name));
    }
    for (URL url : urls) {
      try (InputStream in = url.openStream()) {
        text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      }
    }
    return text.toString();
  }

  private static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
    assertThat(m.matches()).as("memory quantity %s", quantity).isTrue();
    long value = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return switch (unit) {
      case "Ki" -> value << 10;
      case "Mi" -> value << 20;
      case "Gi" -> value << 30;
      default -> value;
    };
  }
}
