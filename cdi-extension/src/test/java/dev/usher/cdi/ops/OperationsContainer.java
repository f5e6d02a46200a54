package dev.usher.cdi.ops;

import dev.usher.cdi.UsherProducers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.inject.ConfigExtension;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Weld SE with SmallRye Config, Usher's producers, {@link OperationsExtension}, SmallRye Health's
 * reporter and the OpenTelemetry SDK's metrics (read on demand): what a server with MicroProfile
 * Health and Telemetry gives the application.
 */
final class OperationsContainer implements AutoCloseable {

    /** Collects the SDK's metrics when a test asks. */
    static final class Reader implements MetricReader {
        private volatile CollectionRegistration registration;

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        Collection<MetricData> collect() {
            return registration.collectAllMetrics();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    static volatile Reader reader;

    /** The server's OpenTelemetry, as MicroProfile Telemetry provides it (metrics only here). */
    public static class TelemetryProducer {
        @Produces
        @Singleton
        OpenTelemetry telemetry() {
            SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
            return new OpenTelemetry() {
                @Override
                public TracerProvider getTracerProvider() {
                    return TracerProvider.noop();
                }

                @Override
                public MeterProvider getMeterProvider() {
                    return meters;
                }

                @Override
                public ContextPropagators getPropagators() {
                    return ContextPropagators.noop();
                }
            };
        }
    }

    final WeldContainer container;
    final OperationsExtension operations;
    private final SmallRyeConfig config;

    OperationsContainer(Map<String, String> keys, OperationsExtension operations, Class<?>... extraBeans) {
        this.operations = operations;
        reader = new Reader();
        config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(new HashMap<>(keys), "test", 500)).build();
        ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
        Weld weld = new Weld().disableDiscovery().addExtension(new ConfigExtension()).addExtension(operations)
                .addBeanClasses(UsherProducers.class, TelemetryProducer.class).addBeanClasses(extraBeans);
        try {
            container = weld.initialize();
        } catch (RuntimeException e) {
            ConfigProviderResolver.instance().releaseConfig(config);
            throw e;
        }
    }

    <T> T get(Class<T> type) {
        return container.select(type).get();
    }

    SmallRyeHealthReporter health() {
        return get(SmallRyeHealthReporter.class);
    }

    Collection<MetricData> metrics() {
        return reader.collect();
    }

    @Override
    public void close() {
        container.close();
        ConfigProviderResolver.instance().releaseConfig(config);
    }
}
