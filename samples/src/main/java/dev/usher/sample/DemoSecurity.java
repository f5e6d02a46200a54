package dev.usher.sample;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.FormAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.LoginToContinue;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

/**
 * Form login on a Jakarta EE server, with no server-side realm to set up: Jakarta Security's form
 * mechanism ({@code login.html} posts {@code j_username}/{@code j_password} to
 * {@code j_security_check}) over the {@link DemoUsers}. The standalone runner configures Jetty's
 * own form authenticator with the same page and users instead.
 */
@ApplicationScoped
@FormAuthenticationMechanismDefinition(loginToContinue = @LoginToContinue(
        loginPage = "/login.html", errorPage = "/login.html?error=1", useForwardToLogin = false))
public class DemoSecurity implements IdentityStore {

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (credential instanceof UsernamePasswordCredential c && DemoUsers.check(c.getCaller(), c.getPasswordAsString())) {
            return new CredentialValidationResult(c.getCaller(), DemoUsers.rolesOf(c.getCaller()));
        }
        return CredentialValidationResult.INVALID_RESULT;
    }
}
