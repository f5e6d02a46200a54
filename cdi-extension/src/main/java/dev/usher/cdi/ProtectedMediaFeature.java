package dev.usher.cdi;

import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;

/**
 * Binds {@link ProtectedMediaFilter} to every resource method annotated {@link ProtectedMedia}
 * (on the method, else on its class), with the annotation's values.
 */
@Provider
public class ProtectedMediaFeature implements DynamicFeature {

    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
        ProtectedMedia annotation = resource.getResourceMethod().getAnnotation(ProtectedMedia.class);
        if (annotation == null) {
            annotation = resource.getResourceClass().getAnnotation(ProtectedMedia.class);
        }
        if (annotation != null) {
            context.register(new ProtectedMediaFilter(annotation.app(), annotation.video()));
        }
    }
}
