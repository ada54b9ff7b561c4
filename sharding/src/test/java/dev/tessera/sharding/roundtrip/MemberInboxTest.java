package dev.tessera.sharding.roundtrip;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemberInboxTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString(
          "pekko.actor.serialization-bindings {\"dev.tessera.sharding.CborSerializable\" = jackson-cbor}")));

  private final EventSourcedBehaviorTestKit<MemberInbox.Command, MemberInbox.Event, MemberInbox.State>
      inbox = EventSourcedBehaviorTestKit.create(testKit.system(), MemberInbox.create("m-1"));

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    inbox.clear();
  }

  @Test
  void recordsAnEventAndAcknowledges() {
    var result = inbox.<StatusReply<Done>>runCommand(
        replyTo -> new MemberInbox.Record("e1", "play", 1000, replyTo));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.event()).isEqualTo(new MemberInbox.Recorded("e1", "play", 1000));
    assertThat(result.state().eventCount()).isEqualTo(1);
  }

  @Test
  void aRedeliveredEventIsAcknowledgedButNotRecordedTwice() {
    inbox.<StatusReply<Done>>runCommand(replyTo -> new MemberInbox.Record("e1", "play", 1, replyTo));
    var again = inbox.<StatusReply<Done>>runCommand(
        replyTo -> new MemberInbox.Record("e1", "play", 1, replyTo));

    assertThat(again.reply().isSuccess()).isTrue();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(again.state().eventCount()).isEqualTo(1);
  }

  @Test
  void keepsOnlyTheMostRecentIdsButCountsAll() {
    for (int i = 0; i < MemberInbox.RECENT_IDS + 10; i++) {
      int n = i;
      inbox.<StatusReply<Done>>runCommand(
          replyTo -> new MemberInbox.Record("e" + n, "click", n, replyTo));
    }
    var summary = inbox.<MemberInbox.Summary>runCommand(MemberInbox.GetSummary::new).reply();

    assertThat(summary.memberId()).isEqualTo("m-1");
    assertThat(summary.eventCount()).isEqualTo(MemberInbox.RECENT_IDS + 10);
    assertThat(summary.recentEventIds()).hasSize(MemberInbox.RECENT_IDS)
        .startsWith("e10").endsWith("e" + (MemberInbox.RECENT_IDS + 9));
  }

  @Test
  void stateSurvivesARestartFromTheJournal() {
    inbox.<StatusReply<Done>>runCommand(replyTo -> new MemberInbox.Record("a", "play", 1, replyTo));
    inbox.<StatusReply<Done>>runCommand(replyTo -> new MemberInbox.Record("b", "stop", 2, replyTo));

    var restarted = inbox.restart();

    assertThat(restarted.state().eventCount()).isEqualTo(2);
    assertThat(restarted.state().recentEventIds()).containsExactly("a", "b");
  }
}
