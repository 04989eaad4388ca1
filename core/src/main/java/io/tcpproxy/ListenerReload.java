package io.tcpproxy;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.engine.admission.ListenerChange;

import java.io.IOException;
import java.util.Objects;

/**
 * The {@code listen_addr} part of a reload: validate by binding the new address while the old one still accepts
 * ({@link #bind}: a failure rejects the whole reload and changes nothing), then {@link #commit} it once the rest of
 * the reload is applied.
 */
final class ListenerReload
{
    private final ListenerChange change;
    private final String error;

    private ListenerReload(final ListenerChange change, final String error)
    {
        this.change = change;
        this.error = error;
    }

    /**
     * Bind {@code newer}'s listen address when it differs from {@code running}'s.
     *
     * @return the bound change, or one that holds nothing (no change, or {@link #error()} says why it cannot be had).
     */
    static ListenerReload bind(final Engine engine, final Config running, final Config newer)
    {
        final HostPort address = newer.listenAddress();
        if (Objects.equals(running.listenAddress(), address))
        {
            return new ListenerReload(null, null);
        }
        try
        {
            return new ListenerReload(engine.bindListeners(address), null);
        }
        catch (final IOException | RuntimeException ex)
        {
            final String why = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            // e.g. 0.0.0.0:4000 -> 127.0.0.1:4000: the kernel refuses an overlapping bind while the old one listens
            final boolean samePort = address.port() != 0 && address.port() == engine.localAddress().getPort();
            return new ListenerReload(null, "listen_addr: " + why + (samePort ? " (the port listened on now: " +
                "another address on it cannot be bound while the old one listens; move through another port, or " +
                "restart)" : ""));
        }
    }

    /** @return why the new address cannot be listened on (the reload is rejected), or null. */
    String error()
    {
        return error;
    }

    /** The rest of the reload was rejected: close what {@link #bind} bound (the old listeners keep serving). */
    void abandon()
    {
        if (change != null)
        {
            change.close();
        }
    }

    /**
     * Serve from the new address and close the old listeners (connections open on them stay).
     *
     * @return what changed, e.g. {@code listen_addr 127.0.0.1:3000 → 127.0.0.1:3001}, or null when no listener moved.
     */
    String commit()
    {
        if (change == null || !change.movesListeners())
        {
            return null;
        }
        final boolean confirmed = change.commit();
        return "listen_addr " + HostPort.format(change.oldAddress()) + " → " + HostPort.format(change.newAddress()) +
            (confirmed ? "" : " (a worker takes the new listener when it next runs)");
    }
}
