#!/usr/bin/python3
"""A real RTSP server for tests: GStreamer's RTSP server serving pre-encoded H.264 files as live cameras.

Each mount plays its file in a loop on a wall-clock timeline that starts when the server starts,
whether or not anyone watches, and all clients of a mount share that one live stream. A client
therefore joins at a random point of the GOP and waits for the next keyframe, like with a real
camera. Nothing is encoded here: access units are read once from the file and re-sent.

    /usr/bin/python3 rtsp_server.py --port 0 --mount street=/tmp/street.mp4 \
        [--auth-path street --auth-user u --auth-method digest]   # password: $RTSP_AUTH_PASSWORD

Prints "READY <port>" on stdout once listening. Commands on stdin, one per line, each answered on
stdout with "OK <command> <path>" or "ERR <command> <path> <reason>":
    stop <path>    end the stream: connected clients get end-of-stream, new ones 404
    start <path>   serve a stopped mount again
    stall <path>   keep connections open but send nothing (a frozen camera)
    resume <path>  send again, from the live timeline's next keyframe
    quit           exit
The server exits when stdin closes, so it never outlives the process that started it.
"""

import argparse
import os
import random
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

TICK_MS = 5  # frames go out at most this late

# config-interval=-1 on h264parse (not on rtph264pay): SPS/PPS go in-band before every IDR.
# Buffers are stamped by LiveFeed, not by appsrc's do-timestamp (see LiveFeed._push).
LAUNCH = (
    "( appsrc name=src is-live=true format=time"
    " max-buffers=100 leaky-type=downstream"
    " ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 )"
)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--mount", action="append", default=[], metavar="PATH=FILE",
                   help="serve an H.264 MP4 file at rtsp://host:port/PATH (repeatable)")
    p.add_argument("--auth-path", help="the one mount that requires credentials")
    p.add_argument("--auth-user")
    p.add_argument("--auth-password", default=os.environ.get("RTSP_AUTH_PASSWORD"),
                   help="default: $RTSP_AUTH_PASSWORD (keeps it out of ps)")
    p.add_argument("--auth-method", choices=["basic", "digest"], default="digest")
    args = p.parse_args()
    if not args.mount:
        p.error("at least one --mount is required")
    if args.auth_path and not (args.auth_user and args.auth_password is not None):
        p.error("--auth-path needs --auth-user and --auth-password")
    return args


def read_access_units(path):
    """Returns (caps, [(data, duration_ns, is_keyframe)]) of the file's video track as AVC access units."""
    pipeline = Gst.parse_launch(
        "filesrc name=file ! qtdemux ! h264parse"
        " ! video/x-h264,stream-format=avc,alignment=au ! appsink name=sink sync=false"
    )
    pipeline.get_by_name("file").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    units, caps, error = [], None, None
    # try-pull-sample: a plain pull-sample would block forever when upstream fails.
    while error is None and not sink.get_property("eos"):
        sample = sink.emit("try-pull-sample", 50 * Gst.MSECOND)
        if sample is not None:
            caps = sample.get_caps()
            buf = sample.get_buffer()
            key = not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)
            units.append((buf.extract_dup(0, buf.get_size()), buf.duration, key))
        error = bus.pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if error or not units:
        reason = error.parse_error()[0].message if error else "no video frames"
        raise RuntimeError(f"{path}: {reason}")
    fallback = Gst.SECOND // 25
    return caps, [(data, d if d != Gst.CLOCK_TIME_NONE and d > 0 else fallback, key) for data, d, key in units]


class LiveFeed:
    """One camera: loops its access units on a wall-clock timeline into every attached appsrc."""

    def __init__(self, caps, units):
        self.caps = caps
        self.units = units
        self.sources = set()
        self.stalled = False
        self.await_keyframe = False
        # A random start frame, so that cameras' keyframes are not in step with each other.
        self.index = random.randrange(len(units))
        self.due = GLib.get_monotonic_time()  # when the next frame is due, in microseconds

    def attach(self, appsrc):
        appsrc.set_property("caps", self.caps)
        self.sources.add(appsrc)

    def detach(self, appsrc):
        self.sources.discard(appsrc)

    def stall(self):
        self.stalled = True

    def resume(self):
        """Sends again from the next keyframe, as a camera whose encoder restarts would."""
        self.stalled = False
        self.await_keyframe = True

    def end_all(self):
        for appsrc in list(self.sources):
            appsrc.emit("end-of-stream")
        self.sources.clear()

    def tick(self, now):
        """Sends every frame due by `now` (microseconds, monotonic)."""
        if now - self.due > 1_000_000:  # the process was paused: skip ahead rather than burst
            self.due = now
        while self.due <= now:
            data, duration, key = self.units[self.index]
            self.await_keyframe = self.await_keyframe and not key
            if not self.stalled and not self.await_keyframe:
                self._push(data, duration)
            self.index = (self.index + 1) % len(self.units)
            self.due += duration // 1000

    def _push(self, data, duration):
        for appsrc in list(self.sources):
            running_time = live_running_time(appsrc)
            if running_time is None:
                continue  # the media is still starting: this frame is not live for it
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = buf.dts = running_time
            buf.duration = duration
            if appsrc.emit("push-buffer", buf) != Gst.FlowReturn.OK:
                self.sources.discard(appsrc)


def live_running_time(appsrc):
    """The appsrc's running time now, or None while it is not PLAYING.

    appsrc's own do-timestamp computes clock time minus base time at each push, whatever the
    element's state. The feed pushes from the main loop while a client's thread is taking a new
    media to PLAYING, and a bin hands out the clock before it gives each child its base time
    (sources last). A push in that window was stamped with the clock's absolute time (the
    machine's uptime, hours), so the RTP sink, which syncs to the clock, waited hours on that
    first buffer: the media stayed PLAYING, every push answered OK, and no client of the mount
    ever got a packet (about 1 join in 100 under load). Once the appsrc itself is PLAYING its
    base time is the one of this run, so frames are stamped only from then on.
    """
    _, state, _ = appsrc.get_state(0)
    if state != Gst.State.PLAYING:
        return None
    clock = appsrc.get_clock()
    if clock is None:
        return None
    return max(0, clock.get_time() - appsrc.get_base_time())


def make_factory(feed):
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(LAUNCH)
    factory.set_shared(True)

    def on_media_configure(_factory, media):
        appsrc = media.get_element().get_by_name("src")
        feed.attach(appsrc)
        media.connect("unprepared", lambda _m: feed.detach(appsrc))

    factory.connect("media-configure", on_media_configure)
    return factory


class MountAuth(GstRtspServer.RTSPAuth):
    """Credentials for one mount only; every other mount stays open to anonymous clients.

    GStreamer's stock checks cannot express that: with a default (anonymous) token a denied mount
    answers 404, and without one every mount answers 401. So only the protected factory's checks
    go to the stock implementation, which, with no default token, answers 401 without valid
    credentials and lets the user's token ("user" role) through.
    """

    def __init__(self, is_protected):
        super().__init__()
        self.is_protected = is_protected

    def do_check(self, ctx, check):
        if check == GstRtspServer.RTSP_AUTH_CHECK_TRANSPORT_CLIENT_SETTINGS:
            return False  # what a server without auth answers too
        if check.startswith("auth.check.media.factory.") and not self.is_protected(ctx.factory):
            return True
        return GstRtspServer.RTSPAuth.do_check(self, ctx, check)


def user_permissions():
    permissions = GstRtspServer.RTSPPermissions()
    for perm in (GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT):
        permissions.add_permission_for_role("user", perm, True)
    return permissions


def make_auth(args, is_protected):
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    auth = MountAuth(is_protected)
    if args.auth_method == "digest":
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(args.auth_user, args.auth_password, token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.auth_user, args.auth_password), token)
    return auth


class Server:
    def __init__(self, args):
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(args.host)
        self.server.set_service(str(args.port))
        self.mounts = self.server.get_mount_points()
        self.feeds = {}
        self.factories = {}
        self.protected = "/" + args.auth_path.strip("/") if args.auth_path else None
        # One persistent timer for every feed: a one-shot GLib timeout per frame leaks in PyGObject.
        GLib.timeout_add(TICK_MS, self._tick)
        for spec in args.mount:
            path, _, file = spec.partition("=")
            path = "/" + path.strip("/")
            self.feeds[path] = LiveFeed(*read_access_units(file))
            self.mount(path)
        if self.protected:
            if self.protected not in self.feeds:
                raise RuntimeError(f"--auth-path {args.auth_path} is not a --mount")
            self.server.set_auth(make_auth(args, lambda f: f == self.factories.get(self.protected)))

    def _tick(self):
        now = GLib.get_monotonic_time()
        for feed in self.feeds.values():
            feed.tick(now)
        return True

    def mount(self, path):
        """(Re)mounts a path with a new factory: no client can get the ended media of a stopped stream."""
        factory = make_factory(self.feeds[path])
        if path == self.protected:
            factory.set_permissions(user_permissions())
        self.factories[path] = factory
        self.mounts.add_factory(path, factory)

    def listen(self):
        if self.server.attach(None) == 0:
            raise RuntimeError("could not listen (address in use?)")
        return self.server.get_bound_port()

    def command(self, verb, path):
        """Runs one control command; returns None on success or the reason it failed."""
        path = "/" + path.strip("/")
        feed = self.feeds.get(path)
        if feed is None:
            return "no such mount"
        if verb == "stop":
            self.mounts.remove_factory(path)
            feed.end_all()
        elif verb == "start":
            self.mounts.remove_factory(path)
            self.mount(path)
        elif verb == "stall":
            feed.stall()
        elif verb == "resume":
            feed.resume()
        else:
            return "unknown command"
        return None


def watch_stdin(server, loop):
    def on_line(channel, condition):
        line = channel.readline() if condition & GLib.IO_IN else ""
        if not line:  # stdin closed: the parent is gone
            loop.quit()
            return False
        verb, _, path = line.strip().partition(" ")
        if verb == "quit":
            loop.quit()
            return False
        if verb:
            error = server.command(verb, path)
            reply = f"OK {verb} {path}" if error is None else f"ERR {verb} {path} {error}"
            print(reply, flush=True)
        return True

    channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
    GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_line)


def main():
    args = parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()
    try:
        server = Server(args)
        port = server.listen()
    except (RuntimeError, GLib.Error) as error:
        print(f"rtsp_server: {error}", file=sys.stderr, flush=True)
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
    watch_stdin(server, loop)
    print(f"READY {port}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
