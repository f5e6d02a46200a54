package dev.usher.cdi;

import dev.usher.core.http.Admission;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.RequestScoped;

/**
 * Holds the grant of a {@link ProtectedMedia} request for as long as the request lasts, and closes
 * it (freeing a manifest's rewrite slot) when the request ends, whatever ended it: a resource method
 * whose exception no mapper answers skips the JAX-RS response filters and writer interceptors, and
 * a slot it held must not stay taken.
 */
@RequestScoped
public class ProtectedMediaGrant {

    private Admission.Granted granted;

    void hold(Admission.Granted grant) {
        this.granted = grant;
    }

    @PreDestroy
    void release() {
        if (granted != null) {
            granted.close();
        }
    }
}
