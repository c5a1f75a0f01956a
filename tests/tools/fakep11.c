/*
 * fakep11: a PKCS#11 module with one token, "fake", whose user PIN is locked
 * -- what SoftHSM2 never does -- for tests/cli/p11-locked.sh.
 *   FAKEP11=flag    the token says CKF_USER_PIN_LOCKED before any login
 *   FAKEP11=login   the flag is clear, but C_Login answers CKR_PIN_LOCKED
 * Only what akcred calls up to the login is there.
 *
 * Or a module in front of a real one, that fails where a test says
 * (SoftHSM2 fails nowhere on demand):
 *   FAKEP11_WRAP=MODULE     every call goes to MODULE's function list, except:
 *   FAKEP11_DESTROY_FAIL=N  the Nth C_DestroyObject (from 1) answers CKR_DEVICE_ERROR
 *                           and the object stays
 *   FAKEP11_ATTR_FAIL=TYPE  a C_GetAttributeValue asking for attribute TYPE (a number:
 *                           256 is CKA_KEY_TYPE) answers CKR_DEVICE_ERROR
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_RV
fk_initialize(void *args)
{
	(void)args;
	return CKR_OK;
}

static CK_RV
fk_finalize(void *reserved)
{
	(void)reserved;
	return CKR_OK;
}

static CK_RV
fk_get_info(CK_INFO *info)
{
	memset(info, ' ', sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	info->flags = 0;
	info->libraryVersion.major = 1;
	info->libraryVersion.minor = 0;
	return CKR_OK;
}

static CK_RV
fk_get_slot_list(CK_BBOOL present, CK_SLOT_ID *list, CK_ULONG *n)
{
	(void)present;
	if (list != NULL) {
		if (*n < 1)
			return CKR_BUFFER_TOO_SMALL;
		list[0] = 7;
	}
	*n = 1;
	return CKR_OK;
}

static CK_RV
fk_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO *info)
{
	(void)slot;
	memset(info, ' ', sizeof(*info));
	info->flags = CKF_TOKEN_PRESENT;
	info->hardwareVersion.major = info->hardwareVersion.minor = 0;
	info->firmwareVersion.major = info->firmwareVersion.minor = 0;
	return CKR_OK;
}

static CK_RV
fk_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
	const char *mode = getenv("FAKEP11");

	(void)slot;
	memset(info, 0, sizeof(*info));
	memset(info->label, ' ', sizeof(info->label));
	memcpy(info->label, "fake", 4);
	memset(info->manufacturerID, ' ', sizeof(info->manufacturerID));
	memset(info->model, ' ', sizeof(info->model));
	memset(info->serialNumber, ' ', sizeof(info->serialNumber));
	memset(info->utcTime, ' ', sizeof(info->utcTime));
	info->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
	if (mode != NULL && strcmp(mode, "flag") == 0)
		info->flags |= CKF_USER_PIN_LOCKED;
	return CKR_OK;
}

static CK_RV
fk_open_session(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify,
		CK_SESSION_HANDLE *session)
{
	(void)slot;
	(void)flags;
	(void)app;
	(void)notify;
	*session = 1;
	return CKR_OK;
}

static CK_RV
fk_close_session(CK_SESSION_HANDLE session)
{
	(void)session;
	return CKR_OK;
}

static CK_RV
fk_login(CK_SESSION_HANDLE session, CK_USER_TYPE user, unsigned char *pin, CK_ULONG len)
{
	(void)session;
	(void)user;
	(void)pin;
	(void)len;
	return CKR_PIN_LOCKED;
}

static CK_RV
fk_logout(CK_SESSION_HANDLE session)
{
	(void)session;
	return CKR_USER_NOT_LOGGED_IN;
}

static CK_FUNCTION_LIST fk_list = {
	.version = {2, 40},
	.C_Initialize = fk_initialize,
	.C_Finalize = fk_finalize,
	.C_GetInfo = fk_get_info,
	.C_GetSlotList = fk_get_slot_list,
	.C_GetSlotInfo = fk_get_slot_info,
	.C_GetTokenInfo = fk_get_token_info,
	.C_OpenSession = fk_open_session,
	.C_CloseSession = fk_close_session,
	.C_Login = fk_login,
	.C_Logout = fk_logout,
};

/* --- in front of a real module ------------------------------------------------ */

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST wrap_list;
static unsigned long destroys;

static unsigned long
env_number(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strtoul(v, NULL, 0) : 0;
}

static CK_RV
wrap_destroy_object(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object)
{
	if (++destroys == env_number("FAKEP11_DESTROY_FAIL"))
		return CKR_DEVICE_ERROR;
	return real->C_DestroyObject(session, object);
}

static CK_RV
wrap_get_attribute_value(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *tmpl,
			 CK_ULONG n)
{
	unsigned long fail = env_number("FAKEP11_ATTR_FAIL");
	CK_ULONG i;

	for (i = 0; fail != 0 && i < n; i++)
		if (tmpl[i].type == fail)
			return CKR_DEVICE_ERROR;
	return real->C_GetAttributeValue(session, object, tmpl, n);
}

static CK_RV
wrap(const char *path, CK_FUNCTION_LIST **list)
{
	CK_RV (*get)(CK_FUNCTION_LIST **);
	void *lib;
	CK_RV rv;

	if ((lib = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (*(void **)&get = dlsym(lib, "C_GetFunctionList")) == NULL)
		return CKR_GENERAL_ERROR;
	if ((rv = get(&real)) != CKR_OK)
		return rv;
	wrap_list = *real;
	wrap_list.C_DestroyObject = wrap_destroy_object;
	wrap_list.C_GetAttributeValue = wrap_get_attribute_value;
	*list = &wrap_list;
	return CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list);

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST **list)
{
	const char *path = getenv("FAKEP11_WRAP");

	if (path != NULL)
		return wrap(path, list);
	*list = &fk_list;
	return CKR_OK;
}
