package io.tcpproxy.engine;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.IdleStrategyKind;
import io.tcpproxy.engine.admission.ListenerSet;
import io.tcpproxy.metrics.MetricsRing;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The engine's workers and their threads: built together (pinned, balanced), started with the configured idle
 * strategy, asked through their command queues, stopped and released together. Any thread but a worker's.
 */
final class WorkerGroup
{
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long ANSWER_POLL_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final Worker[] workers;
    private final MetricsRing[] rings;
    private final AgentRunner[] runners;

    /** @param workerCount workers to build ({@link #build}). */
    WorkerGroup(final int workerCount)
    {
        this.workers = new Worker[workerCount];
        this.rings = new MetricsRing[workerCount];
        this.runners = new AgentRunner[workerCount];
    }

    /** @return the workers (filled in by {@link #build}); the array others keep to hand connections over. */
    Worker[] workers()
    {
        return workers;
    }

    /** @return the workers' metrics rings, in worker order. */
    MetricsRing[] rings()
    {
        return rings;
    }

    /**
     * Build one worker (and its metrics ring) per listener slot, pin them as {@code cpu_affinity} says and, when
     * each owns a listener, let them balance accepted connections across each other.
     */
    void build(final Config config, final EngineContext context, final ListenerSet bound, final EngineLog log)
        throws IOException
    {
        if (config.busyPollUs() > 0 && config.idleStrategy() != IdleStrategyKind.BLOCK)
        {
            log.warn("busy_poll_us = " + config.busyPollUs() + " only applies to idle_strategy = " +
                "\"block\"; ignored with \"" + config.idleStrategy().name().toLowerCase(Locale.ROOT) +
                "\" (which never blocks)");
        }
        final int workerCount = workers.length;
        for (int i = 0; i < workerCount; i++)
        {
            rings[i] = new MetricsRing(i, config.channelBufferSize());
            workers[i] = new Worker(i, context, bound.forWorker(i), bound.workersOwnListeners(), rings[i],
                config.idleStrategy() == IdleStrategyKind.BLOCK, SystemNanoClock.INSTANCE);
        }
        final int[] cpus = WorkerPlacement.plan(config.cpuAffinityMode(), workerCount,
            Runtime.getRuntime().availableProcessors(), WorkerPlacement.SYSTEM_CPU_ROOT, log);
        for (int i = 0; cpus != null && i < workerCount; i++)
        {
            workers[i].pinTo(cpus[i]);
        }
        if (bound.workersOwnListeners() && workerCount > 1)
        {
            for (final Worker worker : workers)
            {
                worker.admission().balanceWith(worker, workers);
            }
        }
    }

    /** Release the workers built so far when the engine could not start: none has a thread yet. */
    void releaseUnstarted()
    {
        for (final Worker worker : workers)
        {
            if (worker != null)
            {
                worker.onClose(); // never started: releases its selector and buffers on this thread
            }
        }
    }

    /** Start one thread per worker, each with its own idle strategy of the configured kind. */
    void start(final Config config, final ErrorHandler errorHandler)
    {
        for (int i = 0; i < workers.length; i++)
        {
            runners[i] = new AgentRunner(idleStrategy(config), errorHandler, null, workers[i]);
            AgentRunner.startOnThread(runners[i]);
        }
    }

    private static IdleStrategy idleStrategy(final Config config)
    {
        switch (config.idleStrategy())
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy();
            default:
                return NoOpIdleStrategy.INSTANCE; // the worker blocks in select itself
        }
    }

    /** {@link #askEach(Supplier, Runnable)} with nothing to do while waiting. */
    <C extends WorkerCommand.Answered<?>> List<C> askEach(final Supplier<C> newCommand)
    {
        return askEach(newCommand, () -> { });
    }

    /**
     * Submit one command to every worker, run {@code whileWaiting} once all are queued, then wait until each worker
     * has answered or a few seconds have passed (a stuck worker must not hang the caller).
     *
     * @return the commands in worker order; one not {@link WorkerCommand.Answered#isDone() done} timed out.
     */
    <C extends WorkerCommand.Answered<?>> List<C> askEach(final Supplier<C> newCommand, final Runnable whileWaiting)
    {
        final List<C> commands = new ArrayList<>(workers.length);
        for (final Worker worker : workers)
        {
            final C command = newCommand.get();
            commands.add(command);
            worker.commands().submitAndWake(command, ANSWER_TIMEOUT_NS);
        }
        whileWaiting.run();
        final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
        for (final C command : commands)
        {
            while (!command.isDone() && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(ANSWER_POLL_NS);
            }
        }
        return commands;
    }

    /** @return whether every command was answered in time. */
    static boolean allDone(final List<? extends WorkerCommand.Answered<?>> commands)
    {
        boolean allDone = true;
        for (final WorkerCommand.Answered<?> command : commands)
        {
            allDone &= command.isDone();
        }
        return allDone;
    }

    /** Stop every worker's thread (or, for one never started, release it here). */
    void stop()
    {
        for (final Worker worker : workers)
        {
            worker.commands().submitAndWake(WorkerCommand.STOP_BLOCKING, ANSWER_TIMEOUT_NS);
        }
        for (int i = 0; i < workers.length; i++)
        {
            if (runners[i] != null)
            {
                runners[i].close();
            }
            else
            {
                workers[i].onClose(); // start failed before this worker's thread: release it here
            }
        }
    }

    /** Free the metrics rings, once the collector has drained them. */
    void freeRings()
    {
        for (final MetricsRing ring : rings)
        {
            ring.free();
        }
    }
}
