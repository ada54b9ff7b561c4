package dev.tessera.deploy.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's garbage collections while it is open, per collector: how many, their total and the
 * longest, from the collectors' notifications. G1's and Parallel's collectors report
 * stop-the-world pauses; ZGC reports its concurrent cycles ("ZGC Cycles", not pauses) and its
 * pauses ("ZGC Pauses") apart.
 */
final class GcPauses implements AutoCloseable {
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;
  private final Map<String, Collector> collectors = new ConcurrentSkipListMap<>();

  private static final class Collector {
    final LongAdder count = new LongAdder();
    final LongAdder totalMillis = new LongAdder();
    final AtomicLong maxMillis = new AtomicLong();
  }

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
    Collector collector = collectors.computeIfAbsent(info.getGcName(), name -> new Collector());
    collector.count.increment();
    collector.totalMillis.add(millis);
    collector.maxMillis.accumulateAndGet(millis, Math::max);
  }

  /** E.g. {@code G1 Young Generation: 12 in 85 ms, longest 14 ms}, or {@code none}. */
  String summary() {
    if (collectors.isEmpty()) {
      return "none";
    }
    StringBuilder out = new StringBuilder();
    collectors.forEach((name, c) -> out.append(out.length() == 0 ? "" : "; ").append(name)
        .append(": ").append(c.count.sum()).append(" in ").append(c.totalMillis.sum())
        .append(" ms, longest ").append(c.maxMillis.get()).append(" ms"));
    return out.toString();
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
