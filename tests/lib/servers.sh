# shellcheck shell=bash
# Brings up the real SMB servers inside the test VM: ksmbd (in-kernel server, user
# space from the unpacked ksmbd-tools) on port 445 and Samba's smbd on port 4455,
# each exporting a writable share "share" for user $SMB_USER.

SMB_USER=smb3rs
SMB_PASS='Sm3rs-Test!'
SMB_SHARE=share
KSMBD_PORT=445
SAMBA_PORT=4455
KSMBD_SHARE_DIR=/tmp/shares/ksmbd
SAMBA_SHARE_DIR=/tmp/shares/samba
SERVERS_DIR=/tmp/servers

_wait_port() {
	local port=$1 i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

_ensure_unix_user() {
	getent passwd "$SMB_USER" >/dev/null || useradd -M -d /tmp -s /bin/false "$SMB_USER"
}

# Extra [global] lines may be passed as arguments, e.g. "max protocol = SMB3_00".
start_ksmbd() {
	local dir=$SERVERS_DIR/ksmbd line
	mkdir -p "$dir" "$KSMBD_SHARE_DIR"
	chmod 0777 "$KSMBD_SHARE_DIR"
	{
		echo "[global]"
		echo "	netbios name = SMB3RS-KSMBD"
		echo "	tcp port = $KSMBD_PORT"
		for line in "$@"; do echo "	$line"; done
		echo "[$SMB_SHARE]"
		echo "	path = $KSMBD_SHARE_DIR"
		echo "	read only = no"
		echo "	force user = root"
		echo "	force group = root"
	} > "$dir/ksmbd.conf"
	rm -f "$dir/users.db"
	"$SMB3RS_KTOOLS/ksmbd.adduser" -a "$SMB_USER" -p "$SMB_PASS" \
		-c "$dir/ksmbd.conf" -i "$dir/users.db" >/dev/null || return 1
	"$SMB3RS_KTOOLS/ksmbd.mountd" -c "$dir/ksmbd.conf" -u "$dir/users.db" -n \
		>"$dir/mountd.log" 2>&1 &
	echo $! > "$dir/pid"
	_wait_port "$KSMBD_PORT"
}

stop_ksmbd() {
	"$SMB3RS_KTOOLS/ksmbd.control" -s >/dev/null 2>&1
	[ -f "$SERVERS_DIR/ksmbd/pid" ] && kill "$(cat "$SERVERS_DIR/ksmbd/pid")" 2>/dev/null
	sleep 1
	return 0
}

# Extra [global] lines may be passed as arguments.
start_samba() {
	local dir=$SERVERS_DIR/samba line
	_ensure_unix_user
	mkdir -p "$dir"/{private,lock,state,cache,pid,ncalrpc,log} "$SAMBA_SHARE_DIR" /var/log/samba
	chmod 0777 "$SAMBA_SHARE_DIR"
	{
		echo "[global]"
		echo "	server role = standalone server"
		echo "	netbios name = SMB3RS-SAMBA"
		echo "	smb ports = $SAMBA_PORT"
		echo "	interfaces = 127.0.0.1 ::1"
		echo "	bind interfaces only = yes"
		echo "	passdb backend = tdbsam:$dir/private/passdb.tdb"
		echo "	private dir = $dir/private"
		echo "	lock directory = $dir/lock"
		echo "	state directory = $dir/state"
		echo "	cache directory = $dir/cache"
		echo "	pid directory = $dir/pid"
		echo "	ncalrpc dir = $dir/ncalrpc"
		echo "	log file = $dir/log/log.%m"
		echo "	load printers = no"
		echo "	printing = bsd"
		echo "	printcap name = /dev/null"
		echo "	disable spoolss = yes"
		echo "	server min protocol = SMB2_10"
		echo "	map to guest = never"
		for line in "$@"; do echo "	$line"; done
		echo "[$SMB_SHARE]"
		echo "	path = $SAMBA_SHARE_DIR"
		echo "	read only = no"
		echo "	force user = root"
	} > "$dir/smb.conf"
	printf '%s\n%s\n' "$SMB_PASS" "$SMB_PASS" \
		| smbpasswd -c "$dir/smb.conf" -s -a "$SMB_USER" >/dev/null || return 1
	smbd -D --configfile="$dir/smb.conf" || return 1
	_wait_port "$SAMBA_PORT"
}

stop_samba() {
	local pidf
	for pidf in "$SERVERS_DIR"/samba/pid/*.pid; do
		[ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
	done
	sleep 1
	return 0
}

# Port and mount option of the named server ("ksmbd" or "samba").
server_port() {
	case "$1" in ksmbd) echo "$KSMBD_PORT" ;; samba) echo "$SAMBA_PORT" ;; esac
}

server_share_dir() {
	case "$1" in ksmbd) echo "$KSMBD_SHARE_DIR" ;; samba) echo "$SAMBA_SHARE_DIR" ;; esac
}

# The smbd child serving our connection to Samba.
smbd_child() {
	ss -Htnp state established "( sport = :$SAMBA_PORT )" | grep -o 'pid=[0-9]*' \
		| head -n 1 | cut -d= -f2
}
