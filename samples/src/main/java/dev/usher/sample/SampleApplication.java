package dev.usher.sample;

import dev.usher.cdi.ProtectedMediaFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/**
 * The site's JSON API at {@code /api}. {@link ProtectedMediaFeature} is registered explicitly so that
 * {@code @ProtectedMedia} works whether or not the JAX-RS implementation scans for providers.
 */
@ApplicationPath("api")
public class SampleApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(SiteResource.class, LiveResource.class, OperatorResource.class, VaultResource.class, SiteExceptionMappers.NotSignedIn.class,
                SiteExceptionMappers.BadTicketRequest.class, ProtectedMediaFeature.class);
    }
}
