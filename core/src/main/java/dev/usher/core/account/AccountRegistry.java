package dev.usher.core.account;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured accounts, by cdn id. Immutable. */
public final class AccountRegistry {

    private final Map<Long, Account> byCdn;

    public AccountRegistry(Collection<Account> accounts) {
        Map<Long, Account> map = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (map.putIfAbsent(a.cdnId(), a) != null) {
                throw new IllegalArgumentException("two accounts with cdn id " + a.cdnId());
            }
        }
        this.byCdn = Map.copyOf(map);
    }

    public Optional<Account> byCdnId(long cdnId) {
        return Optional.ofNullable(byCdn.get(cdnId));
    }

    public List<Account> all() {
        return List.copyOf(byCdn.values());
    }
}
