package dev.tessera.sharding.member;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Gathers the {@link MemberFeatures.Applied} replies of one dispatched batch and completes the
 * batch's future when every member has answered: one long-lived actor instead of an ask (and a
 * temporary actor) per member per batch.
 *
 * <p>Protocol: {@link Expect} (local only: it carries a future) announces a batch and how many
 * replies it waits for; entities answer to {@link #repliesTo}. Not persistent, not sharded.
 */
public final class BatchCollector extends AbstractBehavior<BatchCollector.Command> {

  /** Not serializable on purpose: the pipeline and its collector always share a JVM. */
  public sealed interface Command {}

  /** Complete {@code done} once {@code replies} answers for {@code batchId} arrived. */
  public record Expect(long batchId, int replies, CompletableFuture<List<MemberFeatures.Applied>> done)
      implements Command {}

  private record Reply(MemberFeatures.Applied applied) implements Command {}

  /** Drop a batch whose waiter gave up (timed out), with any replies it already had. */
  public record Forget(long batchId) implements Command {}

  /** Obtains the adapter entities reply to. */
  public record GetReplyAddress(CompletableFuture<ActorRef<MemberFeatures.Applied>> address)
      implements Command {}

  private record Pending(int expected, List<MemberFeatures.Applied> replies,
      CompletableFuture<List<MemberFeatures.Applied>> done) {}

  private final Map<Long, Pending> pending = new HashMap<>();
  /** Replies that overtook their Expect (the entity answered before the Expect was processed). */
  private final Map<Long, List<MemberFeatures.Applied>> early = new HashMap<>();
  private final ActorRef<MemberFeatures.Applied> repliesTo;

  private BatchCollector(ActorContext<Command> context) {
    super(context);
    this.repliesTo = context.messageAdapter(MemberFeatures.Applied.class, Reply::new);
  }

  public static Behavior<Command> create() {
    return Behaviors.setup(BatchCollector::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Expect.class, this::onExpect)
        .onMessage(Reply.class, this::onReply)
        .onMessage(GetReplyAddress.class, this::onGetReplyAddress)
        .onMessage(Forget.class, this::onForget)
        .build();
  }

  private Behavior<Command> onExpect(Expect expect) {
    List<MemberFeatures.Applied> replies = early.remove(expect.batchId());
    Pending batch = new Pending(expect.replies(),
        replies == null ? new ArrayList<>(expect.replies()) : replies, expect.done());
    pending.put(expect.batchId(), batch);
    completeIfDone(expect.batchId(), batch);
    return this;
  }

  private Behavior<Command> onReply(Reply reply) {
    long batchId = reply.applied().batchId();
    Pending batch = pending.get(batchId);
    if (batch == null) {
      early.computeIfAbsent(batchId, id -> new ArrayList<>()).add(reply.applied());
    } else {
      batch.replies().add(reply.applied());
      completeIfDone(batchId, batch);
    }
    return this;
  }

  private Behavior<Command> onGetReplyAddress(GetReplyAddress command) {
    command.address().complete(repliesTo);
    return this;
  }

  private Behavior<Command> onForget(Forget forget) {
    pending.remove(forget.batchId());
    early.remove(forget.batchId());
    return this;
  }

  private void completeIfDone(long batchId, Pending batch) {
    if (batch.replies().size() >= batch.expected()) {
      pending.remove(batchId);
      batch.done().complete(batch.replies());
    }
  }
}
