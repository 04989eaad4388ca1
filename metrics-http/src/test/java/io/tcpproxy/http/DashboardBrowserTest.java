package io.tcpproxy.http;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.Json;
import io.tcpproxy.testsupport.Closer;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard in a real browser: headless Chromium through Selenium and the system's chromedriver (never a
 * download at run time). A proxy runs in this JVM in front of an echo upstream; the page must show the traffic as
 * it flows, with the same figures as {@code /metrics?format=json}. Skipped, loudly, only on a developer machine
 * without a browser; with {@code CI} set a missing browser fails the test. {@code -Ddashboard.screenshot=PATH}
 * also saves the screenshot there (the README's {@code docs/dashboard.png}); it always goes to
 * {@code target/dashboard.png}.
 */
class DashboardBrowserTest
{
    private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int PAYLOAD_BYTES = 64 * 1024;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicBoolean trafficRunning = new AtomicBoolean(true);
    private final Closer opened = new Closer();
    private TestUpstream upstream;
    private Proxy proxy;
    private WebDriver browser;
    private ChromeDriverService driverService;
    private Path profile;

    @AfterEach
    void tearDown() throws Exception
    {
        trafficRunning.set(false);
        if (null != browser)
        {
            browser.quit();
        }
        if (null != driverService)
        {
            driverService.stop();
        }
        opened.close(); // the held sockets, the proxies, the upstream
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS), "test threads did not stop");
        if (null != profile)
        {
            try (var paths = Files.walk(profile))
            {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void shouldShowLiveFiguresThatMatchTheJson() throws Exception
    {
        requireBrowser();
        upstream = opened.add(TestUpstream.echo());
        proxy = opened.add(Proxy.start(LoopbackConfig.withMetrics()
            .targetAddress(upstream.address())
            .workers(2)
            .metricsClientLabels(true)
            .logEvents(LogEvents.OFF)
            .build(), LoopbackConfig.quietConsole()));
        final InetSocketAddress metrics = proxy.metricsAddress();

        browser = startBrowser();
        browser.get("http://127.0.0.1:" + metrics.getPort() + "/");
        await(() -> "live".equals(text("status")), "the page connects to /events");
        await(() -> "0".equals(value("total-connections")), "the page shows an idle proxy");

        // Phase 1: a known number of echo round trips, then three connections held open.
        final int exchanges = 20;
        for (int i = 0; i < exchanges; i++)
        {
            echoOnce(proxy.localAddress(), PAYLOAD_BYTES);
        }
        for (int i = 0; i < 3; i++)
        {
            final Socket socket = new Socket();
            socket.connect(proxy.localAddress(), 10_000);
            opened.add(socket);
        }
        final long expectedBytes = (long)exchanges * PAYLOAD_BYTES;
        await(() -> String.valueOf(exchanges + 3).equals(value("total-connections")) &&
            "3".equals(value("active-connections")) &&
            String.valueOf(expectedBytes).equals(value("bytes-upstream")) &&
            String.valueOf(expectedBytes).equals(value("bytes-downstream")), "the page shows phase 1");

        final Map<String, Object> json = asMap(Json.parse(TestHttp.get(metrics, "/metrics?format=json").body()));
        assertEquals(String.valueOf(json.get("total_connections")), value("total-connections"));
        assertEquals(String.valueOf(json.get("active_connections")), value("active-connections"));
        assertEquals(String.valueOf(json.get("bytes_upstream")), value("bytes-upstream"));
        assertEquals(String.valueOf(json.get("bytes_downstream")), value("bytes-downstream"));
        assertTrue(browser.findElement(By.id("closes")).getText().contains("client_fin"),
            browser.findElement(By.id("closes")).getText());
        assertTrue(browser.findElement(By.id("workers")).getText().contains("worker"));
        assertTrue(browser.findElement(By.id("clients")).getText().contains("127.0.0.1"));
        assertTrue(browser.findElement(By.id("histograms")).getText().contains("p99"));
        assertTrue(browser.findElement(By.id("more")).getText().toLowerCase().contains("ring full"),
            "figures the page does not know by name are shown generically");

        // Phase 2: steady traffic; the rates on the page rise above zero while it flows.
        threads.submit(this::steadyTraffic);
        await(() -> parse(value("bytes-upstream-per-second")) > 0 && parse(value("connections-per-second")) > 0,
            "the page shows rates while traffic flows");
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(Long.getLong("dashboard.trafficSeconds", 12)));

        final byte[] png = ((TakesScreenshot)browser).getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "dashboard.png"), png);
        final String docs = System.getProperty("dashboard.screenshot");
        if (null != docs && !docs.isBlank())
        {
            final Path target = Path.of(docs).toAbsolutePath();
            Files.createDirectories(target.getParent());
            Files.write(target, png);
        }

        // The proxy stops: the page says so; a new proxy on the same metrics port: the page reconnects by itself.
        trafficRunning.set(false);
        proxy.close();
        await(() -> text("status").startsWith("disconnected"), "the page notices the proxy stopped");
        proxy = opened.add(Proxy.start(Config.builder()
            .listenAddress("127.0.0.1:0")
            .targetAddress(upstream.address())
            .metricsAddress("127.0.0.1:" + metrics.getPort())
            .logEvents(LogEvents.OFF)
            .build(), LoopbackConfig.quietConsole()));
        await(() -> "live".equals(text("status")) && "0".equals(value("total-connections")),
            "the page reconnects to the restarted proxy and shows its figures");
        assertTrue(browser.findElement(By.id("events")).getText().contains("restarted") ||
            browser.findElement(By.id("events")).getText().contains("disconnected"),
            browser.findElement(By.id("events")).getText());
    }

    private void requireBrowser()
    {
        final boolean found = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!found)
        {
            final String message = "DashboardBrowserTest SKIPPED: no browser (" + CHROMIUM + ", " + CHROMEDRIVER +
                "); install the Debian packages chromium and chromium-driver";
            if (null != System.getenv("CI"))
            {
                fail(message.replace("SKIPPED", "FAILED under CI"));
            }
            System.err.println(message);
            Assumptions.abort(message);
        }
    }

    private WebDriver startBrowser() throws IOException
    {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        profile = Files.createTempDirectory("tcp-proxy-chromium-");
        driverService = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--user-data-dir=" + profile, "--window-size=1400,1300", "--force-device-scale-factor=1");
        final ChromeDriver driver = new ChromeDriver(driverService, options);
        driver.manage().window().setSize(new Dimension(1400, 1300));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    private String value(final String id)
    {
        return browser.findElement(By.id(id)).getDomAttribute("data-value");
    }

    private String text(final String id)
    {
        return browser.findElement(By.id(id)).getText();
    }

    private static double parse(final String value)
    {
        try
        {
            return null == value || value.isEmpty() ? 0 : Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    private static void echoOnce(final InetSocketAddress proxyAddress, final int bytes) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(proxyAddress, 10_000);
            socket.setSoTimeout(30_000);
            final byte[] payload = new byte[bytes];
            final byte[] back = new byte[bytes];
            threadLocalFill(payload);
            final OutputStream out = socket.getOutputStream();
            out.write(payload);
            out.flush();
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            int received = 0;
            for (int read; received < bytes && (read = in.read(back, received, bytes - received)) > 0; )
            {
                received += read;
            }
            assertEquals(bytes, received);
            assertEquals(-1, in.read());
        }
    }

    private static void threadLocalFill(final byte[] payload)
    {
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)(i * 31);
        }
    }

    /** A varying load for the charts: a few exchanges of a size that swings over a 10-second cycle. */
    private void steadyTraffic()
    {
        final long startNs = System.nanoTime();
        while (trafficRunning.get())
        {
            final double phase = (System.nanoTime() - startNs) / 1e9 / 10 * 2 * Math.PI;
            final int bytes = (int)(PAYLOAD_BYTES * (3 + 2 * Math.sin(phase)));
            try
            {
                echoOnce(proxy.localAddress(), bytes);
            }
            catch (final IOException | AssertionError ex)
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value)
    {
        return (Map<String, Object>)value;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(100));
    }
}
