/* Unit tests of the mqtt module that need no broker (the CLI tests run a real one). */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mqtt.h"

/* A port on 127.0.0.1 where nothing listens: bound, never listened on. */
static int
closed_port(int *fd)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(*fd >= 0);
	cr_assert_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static int phases_seen;

static void
count_phase(const struct mqtt_phase *ph, void *arg)
{
	(void)arg;
	phases_seen |= 1 << ph->id;
}

Test(mqtt, names_phases_and_connack_codes)
{
	cr_assert_str_eq(mqtt_phase_name(MQTT_PH_RESOLVE), "resolve");
	cr_assert_str_eq(mqtt_phase_name(MQTT_PH_TLS), "tls");
	cr_assert_str_eq(mqtt_phase_name(MQTT_PH_DISCONNECT), "disconnect");
	cr_assert_str_eq(mqtt_phase_name(MQTT_PH_COUNT), "?");
	cr_assert_str_eq(mqtt_connack_string(5), "not authorised");
	cr_assert_str_eq(mqtt_connack_string(4), "bad user name or password");
	cr_assert_str_eq(mqtt_connack_string(99), "unknown return code");
}

Test(mqtt, a_refused_connection_fails_the_tcp_phase)
{
	struct mqtt_opts o = {0};
	struct mqtt_result r;
	struct err e = ERR_INIT;
	int fd;

	o.host = "127.0.0.1";
	o.port = closed_port(&fd);
	o.client_id = "dev1";
	o.username = "unused";
	o.password = "x";
	o.topic = "/up/device/id/dev1";
	o.payload = "{}";
	o.payload_len = 2;
	o.qos = 1;
	o.timeout_ms = 3000;
	o.on_phase = count_phase;
	phases_seen = 0;
	cr_assert_eq(mqtt_check(&o, &r, &e), -1);
	close(fd);
	cr_assert_eq(e.status, AK_NETWORK, "%s", e.msg);
	cr_assert(r.failed);
	cr_assert_eq(r.failed_phase, MQTT_PH_TCP);
	cr_assert(strstr(e.msg, "refused") != NULL, "%s", e.msg);
	cr_assert(r.phase[MQTT_PH_RESOLVE].ok);
	cr_assert_eq(phases_seen, (1 << MQTT_PH_RESOLVE) | (1 << MQTT_PH_TCP));
	cr_assert_gt(r.nhints, 0);
	cr_assert_eq(r.connack, -1);
}

Test(mqtt, a_missing_ca_file_is_an_input_error)
{
	struct mqtt_opts o = {0};
	struct mqtt_result r;
	struct err e = ERR_INIT;

	o.host = "127.0.0.1";
	o.port = 8883;
	o.ca_file = "/nonexistent/ca.pem";
	o.client_id = "dev1";
	o.username = "unused";
	o.timeout_ms = 1000;
	o.dry_run = 1;
	cr_assert_eq(mqtt_check(&o, &r, &e), -1);
	cr_assert_eq(e.status, AK_INPUT, "%s", e.msg);
	cr_assert(strstr(e.msg, "/nonexistent/ca.pem") != NULL, "%s", e.msg);
}

Test(mqtt, dry_run_resolves_and_connects_nowhere)
{
	struct mqtt_opts o = {0};
	struct mqtt_result r;
	struct err e = ERR_INIT;

	o.host = "127.0.0.1";
	o.port = 8883;
	o.client_id = "dev1";
	o.username = "unused";
	o.timeout_ms = 1000;
	o.dry_run = 1;
	cr_assert_eq(mqtt_check(&o, &r, &e), 0, "%s", e.msg);
	cr_assert(r.phase[MQTT_PH_RESOLVE].ok);
	cr_assert_str_eq(r.phase[MQTT_PH_RESOLVE].detail, "127.0.0.1");
	cr_assert_not(r.phase[MQTT_PH_TCP].reached);
}

Test(mqtt, reports_the_library_version)
{
	char v[32];
	struct err e = ERR_INIT;

	cr_assert_eq(mqtt_library_version(v, sizeof(v), &e), 0, "%s", e.msg);
	cr_assert(v[0] >= '2' && v[0] <= '9', "libmosquitto %s", v);
}
