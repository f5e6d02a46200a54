package dev.usher.sample;

import dev.usher.cdi.NotSignedInException;
import dev.usher.core.service.TicketRequestException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/** How the API answers when it can't issue a ticket. */
public final class SiteExceptionMappers {

    private SiteExceptionMappers() {
    }

    /** No signed-in viewer: 401, and where to sign in. Anonymous visitors never get a ticket. */
    @Provider
    public static class NotSignedIn implements ExceptionMapper<NotSignedInException> {
        @Override
        public Response toResponse(NotSignedInException e) {
            return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                    .header("Cache-Control", "no-store")
                    .entity(Map.of("error", "not signed in", "signin", "signin")).build();
        }
    }

    /** A ticket the service refuses to issue: 400 with its message. */
    @Provider
    public static class BadTicketRequest implements ExceptionMapper<TicketRequestException> {
        @Override
        public Response toResponse(TicketRequestException e) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", String.valueOf(e.getMessage()))).build();
        }
    }
}
