package dev.tessera.deploy.load;

import dev.tessera.simulations.kafka.SimulationProducer;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one of simulations/'s Gatling simulations in a JVM of its own, on the classpath that
 * module's build recorded (Gatling's Netty 4.2, Scala and Jackson never meet the node's), with the
 * run's settings as {@code -Dtessera.load.*} properties. Gatling exits non-zero when an assertion
 * fails or the run itself fails.
 */
final class GatlingProcess {
  private static final String CLASSPATH_RESOURCE = "dev/tessera/simulations/load/gatling.classpath";
  private static final Pattern REPORT =
      Pattern.compile("please open the following file: (?:file://)?(\\S+)", Pattern.CASE_INSENSITIVE);

  /** How one run ended: Gatling's exit status, its console output and the HTML report, if any. */
  record Result(int exitCode, String output, String report) {
    /** The last lines of the output: the global figures and the assertions' verdicts. */
    String tail() {
      String[] lines = output.split("\n");
      return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 45), lines.length));
    }
  }

  private GatlingProcess() {}

  static Result run(String simulation, Map<String, String> settings, Path resultsDir)
      throws IOException, InterruptedException {
    Files.createDirectories(resultsDir);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxInlineLevel=20", "-XX:MaxTrivialSize=12",
        // What gatling-maven-plugin passes too: Gatling's log writer reads String internals.
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4",
        "-Dlogback.configurationFile=dev/tessera/simulations/load/logback-gatling.xml"));
    settings.forEach((key, value) -> command.add("-Dtessera.load." + key + "=" + value));
    command.addAll(List.of("-cp", classpath(), "io.gatling.app.Gatling",
        "-s", "dev.tessera.simulations.load." + simulation,
        "-rf", resultsDir.toAbsolutePath().toString(),
        "-rd", "CI gate"));
    Path log = resultsDir.resolve(simulation + ".log");
    Process gatling = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!gatling.waitFor(5, TimeUnit.MINUTES)) {
      gatling.destroyForcibly().waitFor();
      throw new IllegalStateException(simulation + " did not end within 5 minutes; see " + log);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Matcher report = REPORT.matcher(output);
    String path = null;
    while (report.find()) {
      path = report.group(1);
    }
    return new Result(gatling.exitValue(), output, path);
  }

  /** The simulations (test jar or test-classes), the simulator, and their recorded classpath. */
  private static String classpath() throws IOException {
    URL resource = GatlingProcess.class.getClassLoader().getResource(CLASSPATH_RESOURCE);
    if (resource == null) {
      throw new IllegalStateException(CLASSPATH_RESOURCE + " is not on the test classpath:"
          + " build simulations/ first (mvn -pl deploy -am verify)");
    }
    String recorded;
    try (var in = resource.openStream()) {
      recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    return location(resource) + File.pathSeparator
        + path(SimulationProducer.class.getProtectionDomain().getCodeSource().getLocation())
        + File.pathSeparator + recorded;
  }

  /** The jar or directory a resource was found in. */
  private static String location(URL resource) {
    String url = resource.toString();
    if (url.startsWith("jar:")) {
      return path(urlOf(url.substring("jar:".length(), url.indexOf("!/"))));
    }
    return path(resource).replace(File.separator + CLASSPATH_RESOURCE.replace('/', File.separatorChar), "");
  }

  private static URL urlOf(String url) {
    try {
      return new java.net.URI(url).toURL();
    } catch (URISyntaxException | java.net.MalformedURLException e) {
      throw new IllegalStateException(url, e);
    }
  }

  private static String path(URL url) {
    try {
      return Path.of(url.toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(url.toString(), e);
    }
  }
}
