package dev.tessera.deploy.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check ({@code /ready}): true while the node on this actor system is
 * Up, runs its pipelines and serves HTTP; false before that and from the start of its shutdown.
 */
public final class NodeReadiness implements Supplier<CompletionStage<Boolean>> {
  private static final Map<ActorSystem, Boolean> READY = new ConcurrentHashMap<>();

  private final ActorSystem system;

  public NodeReadiness(ActorSystem system) {
    this.system = system;
  }

  static void set(ActorSystem system, boolean ready) {
    if (ready) {
      READY.put(system, Boolean.TRUE);
    } else {
      READY.remove(system);
    }
  }

  static boolean isReady(ActorSystem system) {
    return READY.getOrDefault(system, Boolean.FALSE);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(isReady(system));
  }
}
