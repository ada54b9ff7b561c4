package dev.tessera.orchestrator.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.tessera.orchestrator.signal.Signal;
import dev.tessera.orchestrator.signal.SignalCondition;
import dev.tessera.orchestrator.workflow.WorkflowKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SignalHubTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString(
          "pekko.actor.serialization-bindings {\"dev.tessera.sharding.CborSerializable\" = jackson-cbor}")));

  /** Workflows as the hub sees them: deliveries and starts, failing the first N if asked. */
  static final class FakePorts implements HubPorts {
    final List<String> deliveries = new CopyOnWriteArrayList<>();
    final List<String> starts = new CopyOnWriteArrayList<>();
    final List<Map<String, Object>> startParams = new CopyOnWriteArrayList<>();
    final AtomicInteger failDeliveries = new AtomicInteger();
    final AtomicInteger failStarts = new AtomicInteger();

    @Override
    public CompletionStage<Done> deliver(String workflowId, Signal signal) {
      deliveries.add(workflowId + "<-" + signal.id());
      return failDeliveries.getAndDecrement() > 0
          ? CompletableFuture.failedFuture(new IllegalStateException("unreachable"))
          : CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> start(String workflowId, WorkflowKind kind,
        Map<String, Object> params) {
      starts.add(kind.id() + ":" + workflowId);
      startParams.add(params);
      return failStarts.getAndDecrement() > 0
          ? CompletableFuture.failedFuture(new IllegalStateException("unreachable"))
          : CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  private final FakePorts ports = new FakePorts();
  private final String suffix = UUID.randomUUID().toString().substring(0, 6);

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<SignalHub.Command, SignalHub.Event, SignalHub.State> hub(
      String name, List<ChainRule> chains, int maxSignals) {
    // a fresh persistence id per test: the hub of a name is a single entity
    HubSettings settings = new HubSettings(maxSignals, maxSignals * 2, Duration.ofMillis(100),
        chains);
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        SignalHub.create(name, settings, ports, Clock.systemUTC()));
  }

  private EventSourcedBehaviorTestKit<SignalHub.Command, SignalHub.Event, SignalHub.State> hub() {
    var kit = hub("features_ready", List.of(), 100);
    kit.clear();
    return kit;
  }

  private Signal ready(String id, long rows) {
    return new Signal(id + suffix, "features_ready", 1, "batch/training-set",
        Map.of("group", "g"), Map.of("group", "g", "version", 1, "rows", rows));
  }

  private static StatusReply<SignalHub.Published> publish(
      EventSourcedBehaviorTestKit<SignalHub.Command, SignalHub.Event, SignalHub.State> kit,
      Signal signal) {
    return kit.<StatusReply<SignalHub.Published>>runCommand(
        replyTo -> new SignalHub.Publish(signal, replyTo)).reply();
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final SignalCondition BIG =
      SignalCondition.parse("features_ready where group == g and rows > 1000");

  @Test
  void aRepeatedSignalIdIsANoOp() {
    var kit = hub();
    Signal signal = ready("s1", 5000);

    assertThat(publish(kit, signal).getValue()).isEqualTo(SignalHub.Published.ACCEPTED);
    var again = kit.<StatusReply<SignalHub.Published>>runCommand(
        replyTo -> new SignalHub.Publish(signal, replyTo));

    assertThat(again.reply().getValue()).isEqualTo(SignalHub.Published.DUPLICATE);
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(again.state().signals()).hasSize(1);
  }

  @Test
  void aSignalThatArrivesBeforeItsWaiterIsKeptAndDeliveredWhenTheWaitRegisters() {
    var kit = hub();
    publish(kit, ready("early", 5000));
    assertThat(ports.deliveries).isEmpty();

    kit.runCommand(new SignalHub.Await("wf-1", BIG));

    await(() -> ports.deliveries.contains("wf-1<-early" + suffix), "early signal delivered");
    await(() -> kit.getState().waits().isEmpty(), "wait released after the acknowledgement");
  }

  @Test
  void aWaitingWorkflowGetsOnlySignalsMeetingItsCondition() {
    var kit = hub();
    kit.runCommand(new SignalHub.Await("wf-1", BIG));

    publish(kit, ready("small", 10));
    publish(kit, new Signal("og" + suffix, "features_ready", 1, "x", Map.of(),
        Map.of("group", "h", "rows", 5000)));
    assertThat(ports.deliveries).isEmpty();
    assertThat(kit.getState().waits()).containsKey("wf-1");

    publish(kit, ready("big", 5000));
    await(() -> ports.deliveries.equals(List.of("wf-1<-big" + suffix)), "big delivered");
    await(() -> kit.getState().waits().isEmpty(), "released");
  }

  @Test
  void theNewestMatchingSignalIsDeliveredToALateWaiter() {
    var kit = hub();
    publish(kit, ready("old", 5000));
    publish(kit, ready("new", 6000));
    publish(kit, ready("newest-but-small", 10));

    kit.runCommand(new SignalHub.Await("wf-1", BIG));

    await(() -> ports.deliveries.equals(List.of("wf-1<-new" + suffix)), "newest match");
  }

  @Test
  void aFailedDeliveryIsRetriedUntilAcknowledged() {
    var kit = hub();
    ports.failDeliveries.set(2);
    kit.runCommand(new SignalHub.Await("wf-1", BIG));

    publish(kit, ready("s", 5000));

    await(() -> ports.deliveries.size() == 3, "three deliveries");
    await(() -> kit.getState().waits().isEmpty(), "released after the third");
  }

  @Test
  void aCancelledWaitGetsNothing() {
    var kit = hub();
    kit.runCommand(new SignalHub.Await("wf-1", BIG));
    kit.runCommand(new SignalHub.CancelWait("wf-1"));

    publish(kit, ready("s", 5000));

    assertThat(kit.getState().waits()).isEmpty();
    assertThat(ports.deliveries).isEmpty();
  }

  @Test
  void aSignalOfAnotherNameIsRefused() {
    var kit = hub();
    var reply = publish(kit, new Signal("x", "model_trained", 1, "t", Map.of(), Map.of()));
    assertThat(reply.getError().getMessage()).startsWith("invalid:");
  }

  @Test
  void onlyTheLatestSignalsAreKeptButTheirIdsStillDedup() {
    var kit = hub("features_ready", List.of(), 2);
    kit.clear();
    publish(kit, ready("a", 1));
    publish(kit, ready("b", 2));
    publish(kit, ready("c", 3));

    assertThat(kit.getState().signals()).extracting(Signal::id)
        .containsExactly("b" + suffix, "c" + suffix);
    assertThat(publish(kit, ready("a", 1)).getValue()).isEqualTo(SignalHub.Published.DUPLICATE);
  }

  @Test
  void aChainedWorkflowStartsOncePerSignalWithParametersFromThePayload() {
    var rule = new ChainRule("features_ready", WorkflowKind.MODEL_TRAINING,
        List.of("group", "version"));
    var kit = hub("features_ready", List.of(rule), 100);
    kit.clear();
    Signal signal = ready("s", 5000);

    publish(kit, signal);
    publish(kit, signal);

    await(() -> kit.getState().pendingChains().isEmpty(), "chain journaled as started");
    assertThat(ports.starts).containsExactly("model-training:" + rule.workflowId(signal));
    assertThat(rule.workflowId(signal)).startsWith("model-training-g-1-");
    assertThat(ports.startParams.get(0)).containsEntry("group", "g").containsEntry("version", 1)
        .containsEntry("trigger", signal.id());
  }

  @Test
  void aChainNotYetStartedWhenTheHubStoppedStartsOnRecovery() {
    var rule = new ChainRule("features_ready", WorkflowKind.MODEL_TRAINING, List.of("group"));
    var kit = hub("features_ready", List.of(rule), 100);
    kit.clear();
    ports.failStarts.set(1000);
    publish(kit, ready("s", 5000));
    await(() -> ports.starts.size() >= 1, "first start attempted");
    assertThat(kit.getState().pendingChains()).hasSize(1);

    ports.failStarts.set(0);
    int before = ports.starts.size();
    kit.restart();

    await(() -> kit.getState().pendingChains().isEmpty(), "started after recovery");
    assertThat(ports.starts.size()).isGreaterThan(before);
  }

  @Test
  void waitsSurviveARestartAndAreServedByLaterSignals() {
    var kit = hub();
    kit.runCommand(new SignalHub.Await("wf-1", BIG));

    kit.restart();
    publish(kit, ready("after", 5000));

    await(() -> ports.deliveries.equals(List.of("wf-1<-after" + suffix)), "delivered");
  }
}
