package io.tcpproxy.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls the user's listener and swallows (counts) what it throws: a failing console must not stop health checking.
 */
final class GuardedListener implements UpstreamListener
{
    private final UpstreamListener delegate;
    private final AtomicLong failures = new AtomicLong();

    GuardedListener(final UpstreamListener delegate)
    {
        this.delegate = delegate;
    }

    long failures()
    {
        return failures.get();
    }

    @Override
    public void onHealthChanged(
        final UpstreamServer server, final boolean up, final int checksInARow, final CheckResult lastResult)
    {
        try
        {
            delegate.onHealthChanged(server, up, checksInARow, lastResult);
        }
        catch (final RuntimeException ex)
        {
            failures.incrementAndGet();
        }
    }

    @Override
    public void onEjected(
        final UpstreamServer server, final long ejectionMs, final int failuresInARow, final ConnectFailure lastFailure)
    {
        try
        {
            delegate.onEjected(server, ejectionMs, failuresInARow, lastFailure);
        }
        catch (final RuntimeException ex)
        {
            failures.incrementAndGet();
        }
    }

    @Override
    public void onReadmitted(final UpstreamServer server, final boolean byActiveCheck)
    {
        try
        {
            delegate.onReadmitted(server, byActiveCheck);
        }
        catch (final RuntimeException ex)
        {
            failures.incrementAndGet();
        }
    }

    @Override
    public void onServersChanged(
        final String configuredAddr, final List<UpstreamServer> added, final List<UpstreamServer> removed)
    {
        try
        {
            delegate.onServersChanged(configuredAddr, added, removed);
        }
        catch (final RuntimeException ex)
        {
            failures.incrementAndGet();
        }
    }

    @Override
    public void onResolveFailed(final String configuredAddr, final String message)
    {
        try
        {
            delegate.onResolveFailed(configuredAddr, message);
        }
        catch (final RuntimeException ex)
        {
            failures.incrementAndGet();
        }
    }
}
