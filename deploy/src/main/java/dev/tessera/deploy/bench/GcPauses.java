package dev.tessera.deploy.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's garbage-collection pauses while it is open: how many, their total and the longest,
 * from the collectors' notifications (G1's and Parallel's collector beans report pauses; the
 * concurrent cycles of ZGC and Shenandoah report their short pauses too).
 */
final class GcPauses implements AutoCloseable {
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;
  private final LongAdder count = new LongAdder();
  private final LongAdder totalMillis = new LongAdder();
  private final AtomicLong maxMillis = new AtomicLong();

  GcPauses() {
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  private void onNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
        .equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
        (CompositeData) notification.getUserData());
    long millis = info.getGcInfo().getDuration();
    count.increment();
    totalMillis.add(millis);
    maxMillis.accumulateAndGet(millis, Math::max);
  }

  /** E.g. {@code 12 pauses, 85 ms in all, longest 14 ms}. */
  String summary() {
    return count.sum() + " pauses, " + totalMillis.sum() + " ms in all, longest "
        + maxMillis.get() + " ms";
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // never added
      }
    }
  }
}
