package dev.tessera.serving;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@link ServingApi#handler} on the configured interface and port. The binding joins the
 * node's coordinated shutdown: it stops accepting, lets in-flight requests finish, then unbinds.
 */
public final class ServingServer {
  private static final Logger log = LoggerFactory.getLogger(ServingServer.class);

  private ServingServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, ServingApi api,
      ServingSettings settings) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(api.handler(system))
        .thenApply(binding -> {
          binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
          InetSocketAddress address = binding.localAddress();
          log.info("Serving HTTP on http://{}:{}", address.getHostString(), address.getPort());
          return binding;
        });
  }
}
