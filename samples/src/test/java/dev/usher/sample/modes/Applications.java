package dev.usher.sample.modes;

import dev.usher.cdi.ProtectedMediaFeature;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** Two JAX-RS applications listing their classes: one registers {@link ProtectedMediaFeature}, one forgets it. */
final class Applications {

    private Applications() {
    }

    public static class WithFeature extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(MediaResource.class, ProtectedMediaFeature.class);
        }
    }

    public static class WithoutFeature extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(MediaResource.class);
        }
    }
}
