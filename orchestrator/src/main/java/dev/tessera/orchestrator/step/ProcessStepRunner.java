package dev.tessera.orchestrator.step;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step as a child process (the batch jobs: {@code ./tessera batch training-set ...}).
 *
 * <p>Each step has a directory {@code <work-dir>/<workflow id>/<step>/}: the process's output goes
 * to {@code attempt-<n>.log} there, its PID to {@code pid}, and it may write a JSON object to
 * {@code ${resultFile}} ({@code result.json}) that becomes the step's outputs (plus {@code
 * exitCode} and {@code logPath}). Exit code 0 is success; anything else fails the attempt with
 * the last lines of the log.
 *
 * <p>Idempotency per {@code <workflow id>/<step>}: a success is recorded in {@code
 * succeeded.json} before it is reported, and a later run of the same step (the node crashed before
 * journaling the success) returns it without starting the process again. A process left running
 * by a crashed node (its PID file names a live process) is killed before the step runs again. On
 * timeout or cancel the process and its descendants get SIGTERM, then SIGKILL after {@code
 * kill-grace}.
 */
public final class ProcessStepRunner implements StepRunner {
  private static final Logger log = LoggerFactory.getLogger(ProcessStepRunner.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)}");

  private final Map<String, List<String>> commands;
  private final Path workDir;
  private final String tesseraCommand;
  private final Duration killGrace;
  private final Executor blocking;
  private final Map<String, String> variables;
  private final Map<String, String> environment;
  private final Map<String, Process> running = new ConcurrentHashMap<>();

  /**
   * @param commands command-line templates keyed {@code <kind>.<step>}
   * @param blocking where process starts and file reads run (not a dispatcher of actors)
   */
  public ProcessStepRunner(Map<String, List<String>> commands, Path workDir,
      String tesseraCommand, Duration killGrace, Executor blocking) {
    this(commands, workDir, tesseraCommand, killGrace, blocking, Map.of(), Map.of());
  }

  /**
   * @param variables more built-in ${name} values (e.g. kafkaBootstrap, topicPrefix)
   * @param environment variables added to the environment every step process inherits
   */
  public ProcessStepRunner(Map<String, List<String>> commands, Path workDir,
      String tesseraCommand, Duration killGrace, Executor blocking,
      Map<String, String> variables, Map<String, String> environment) {
    this.variables = Map.copyOf(variables);
    this.environment = Map.copyOf(environment);
    this.commands = Map.copyOf(commands);
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    this.tesseraCommand = Objects.requireNonNull(tesseraCommand, "tesseraCommand");
    this.killGrace = Objects.requireNonNull(killGrace, "killGrace");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
  }

  /** Whether a command is configured for this step. */
  public boolean handles(String kindAndStep) {
    return commands.containsKey(kindAndStep);
  }

  @Override
  public CompletionStage<StepResult> run(StepRequest request) {
    return CompletableFuture.supplyAsync(() -> launch(request), blocking)
        .thenCompose(launched -> launched);
  }

  private CompletionStage<StepResult> launch(StepRequest request) {
    List<String> template = commands.get(request.kind().id() + "." + request.step());
    if (template == null) {
      throw new IllegalStateException("no command for step " + request.kind().id() + "."
          + request.step() + " (tessera.orchestrator.steps.commands)");
    }
    Path dir = workDir.resolve(request.workflowId()).resolve(request.step()).toAbsolutePath();
    Path succeeded = dir.resolve("succeeded.json");
    try {
      Files.createDirectories(dir);
      if (Files.exists(succeeded)) {
        log.info("Step {} already succeeded (recorded in {}): not run again",
            request.idempotencyKey(), succeeded);
        return CompletableFuture.completedFuture(StepResult.of(readObject(succeeded)));
      }
      killStale(dir.resolve("pid"));
      Path result = dir.resolve("result.json");
      Files.deleteIfExists(result);
      Path logFile = dir.resolve("attempt-" + request.attempt() + ".log");
      Map<String, String> builtins = new java.util.HashMap<>(Map.of("tessera", tesseraCommand,
          "stepDir", dir.toString(), "resultFile", result.toString(),
          "workflowId", request.workflowId(), "attempt", Integer.toString(request.attempt())));
      builtins.putAll(variables);
      List<String> command = new ArrayList<>();
      for (String part : template) {
        command.add(substitute(part, builtins, request.vars()));
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(environment);
      // Standard input stays a pipe this JVM holds: the launcher runs batch jobs under the guard,
      // which stops them when the pipe closes, i.e. when this node dies, even by kill -9.
      builder.environment().put("TESSERA_GUARD_STDIN", "1");
      Process process = builder.start();
      Files.writeString(dir.resolve("pid"), Long.toString(process.pid()));
      running.put(request.idempotencyKey(), process);
      log.info("Step {} attempt {}: started {} (pid {}, log {})", request.idempotencyKey(),
          request.attempt(), command, process.pid(), logFile);
      return process.onExit().thenApplyAsync(
          exited -> finished(request, exited, result, logFile, succeeded), blocking);
    } catch (IOException e) {
      throw new UncheckedIOException("step " + request.idempotencyKey() + ": " + e.getMessage(), e);
    }
  }

  private StepResult finished(StepRequest request, Process process, Path result, Path logFile,
      Path succeeded) {
    // cancel() takes the process out first: then the step failed whatever the exit code (a
    // shell whose children were stopped first can still exit 0), and nothing records success.
    boolean cancelled = !running.remove(request.idempotencyKey(), process);
    int exit = process.exitValue();
    if (exit != 0 || cancelled) {
      throw new IllegalStateException((cancelled ? "cancelled; " : "") + "exit code " + exit
          + "; log " + logFile + ": " + tail(logFile));
    }
    try {
      Map<String, Object> outputs = new LinkedHashMap<>();
      if (Files.exists(result)) {
        outputs.putAll(readObject(result));
      }
      outputs.put("exitCode", 0);
      outputs.put("logPath", logFile.toString());
      Path partial = succeeded.resolveSibling("succeeded.json.tmp");
      Files.write(partial, MAPPER.writeValueAsBytes(outputs));
      Files.move(partial, succeeded, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return StepResult.of(outputs);
    } catch (IOException e) {
      throw new UncheckedIOException("step " + request.idempotencyKey() + " result: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void cancel(String idempotencyKey) {
    Process process = running.remove(idempotencyKey);
    if (process != null) {
      log.info("Step {}: stopping pid {}", idempotencyKey, process.pid());
      killTree(process.toHandle());
    }
  }

  private void killStale(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile).trim();
    try {
      ProcessHandle.of(Long.parseLong(text)).filter(ProcessHandle::isAlive).ifPresent(stale -> {
        log.warn("Killing pid {} left running by an earlier run of this step", stale.pid());
        stale.descendants().forEach(ProcessHandle::destroyForcibly);
        stale.destroyForcibly();
        stale.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
      });
    } catch (NumberFormatException e) {
      log.warn("Ignoring unreadable pid file {}", pidFile);
    }
  }

  private void killTree(ProcessHandle process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process);
    tree.forEach(ProcessHandle::destroy);
    CompletableFuture.delayedExecutor(killGrace.toMillis(), TimeUnit.MILLISECONDS, blocking)
        .execute(() -> tree.stream().filter(ProcessHandle::isAlive)
            .forEach(ProcessHandle::destroyForcibly));
  }

  static String substitute(String part, Map<String, String> builtins, Map<String, Object> vars) {
    Matcher m = VAR.matcher(part);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      Object value = builtins.containsKey(name) ? builtins.get(name) : vars.get(name);
      if (value == null) {
        throw new IllegalArgumentException("command part '" + part + "' needs ${" + name
            + "}, which the workflow does not have");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Map<String, Object> readObject(Path file) throws IOException {
    JsonNode node = MAPPER.readTree(file.toFile());
    if (node == null || !node.isObject()) {
      throw new IOException(file + " does not hold a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = MAPPER.convertValue(node, Map.class);
    return map;
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
